'use strict';
// Stands in for undici's index.js in the bundle, for client-node only. client-node takes Agent,
// ProxyAgent and fetch from it, while index.js also evaluates mocks, cache stores, interceptors,
// WebSocket, EventSource and cookies: about 10 ms of every start. And each part is loaded on
// first use: config.js imports undici at its top level, but only the generated API and watches
// send with it, so commands that only read (status, list) never load undici at all.
let parts;
function load() {
  if (parts === undefined) {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher');
    // As index.js does: ProxyAgent tunnels through the proxy with Dispatcher#connect.
    Object.assign(Dispatcher.prototype, require('undici/lib/api'));
    parts = {
      Agent: require('undici/lib/dispatcher/agent'),
      ProxyAgent: require('undici/lib/dispatcher/proxy-agent'),
      fetch: require('undici/lib/web/fetch').fetch,
    };
  }
  return parts;
}

// Without __esModule: esbuild's interop reads it when the module is imported, which would load it.
for (const name of ['Agent', 'ProxyAgent', 'fetch']) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
}
