'use strict';
// Stands in for undici's index.js in the bundle, for client-node only: client-node takes Agent,
// ProxyAgent and fetch from it, while index.js also evaluates mocks, cache stores, interceptors,
// WebSocket, EventSource and cookies: about 10 ms of every `status`.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');

// As index.js does: ProxyAgent tunnels through the proxy with Dispatcher#connect.
Object.assign(Dispatcher.prototype, require('undici/lib/api'));

exports.Agent = require('undici/lib/dispatcher/agent');
exports.ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
exports.fetch = require('undici/lib/web/fetch').fetch;
