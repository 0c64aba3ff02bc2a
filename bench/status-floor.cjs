// What `kubectl dask status` cannot go below in Node: start, load node:https, connect with the
// kubeconfig's TLS material, send the same two lists at once over HTTP/1.1 as status does (a
// connection each), print two numbers. bench/status.ts runs it next to the plugin; CommonJS, so
// Node does not strip types first.
// usage: node bench/status-floor.cjs SERVER CA_FILE CERT_FILE KEY_FILE NAMESPACE SELECTOR
'use strict';
const fs = require('node:fs');
const https = require('node:https');

const [server, caFile, certFile, keyFile, namespace, selector] = process.argv.slice(2);
const agent = new https.Agent({ ca: fs.readFileSync(caFile), cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
function list(path) {
  return new Promise((resolve, reject) => {
    const request = https.get(new URL(`${path}?labelSelector=${encodeURIComponent(selector)}`, server), { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(JSON.parse(body)));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
Promise.all([list(`/apis/apps/v1/namespaces/${namespace}/deployments`), list(`/api/v1/namespaces/${namespace}/pods`)]).then(
  ([deployments, pods]) => console.log(`${deployments.items.length} deployments, ${pods.items.length} pods`),
  (error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
