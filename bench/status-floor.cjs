// What `kubectl dask status` cannot go below in Node: start, load node:http2, connect with the
// kubeconfig's TLS material, send the same two lists over one HTTP/2 connection, print two numbers.
// bench/status.ts runs it next to the plugin; CommonJS, so Node does not strip types first.
// usage: node bench/status-floor.cjs SERVER CA_FILE CERT_FILE KEY_FILE NAMESPACE SELECTOR
'use strict';
const fs = require('node:fs');
const http2 = require('node:http2');

const [server, caFile, certFile, keyFile, namespace, selector] = process.argv.slice(2);
const session = http2.connect(server, { ca: fs.readFileSync(caFile), cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
function list(path) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': `${path}?labelSelector=${encodeURIComponent(selector)}` });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => (body += chunk));
    stream.on('end', () => resolve(JSON.parse(body)));
    stream.on('error', reject);
  });
}
Promise.all([list(`/apis/apps/v1/namespaces/${namespace}/deployments`), list(`/api/v1/namespaces/${namespace}/pods`)]).then(
  ([deployments, pods]) => {
    console.log(`${deployments.items.length} deployments, ${pods.items.length} pods`);
    session.close();
  },
  (error) => {
    console.error(error.message);
    process.exitCode = 1;
    session.destroy();
  },
);
