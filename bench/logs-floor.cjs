// The least a Node follower of pod logs does: HTTP/2 with the kubeconfig's TLS material, one
// stream per pod (follow, timestamps, from now on, as kubectl dask asks), each chunk's whole lines
// copied to stdout as they come (whole, or the streams would cut into each other's lines).
// bench/forward-logs.ts runs it beside kubectl dask logs to tell Node's HTTP/2 client from our
// work; CommonJS, so Node does not strip types first.
// usage: node bench/logs-floor.cjs SERVER CA_FILE CERT_FILE KEY_FILE NAMESPACE POD...
'use strict';
const fs = require('node:fs');
const http2 = require('node:http2');

const [server, caFile, certFile, keyFile, namespace, ...pods] = process.argv.slice(2);
const tls = { ca: fs.readFileSync(caFile), cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
// The API server allows 100 concurrent streams per connection; more pods get more connections, as
// in kubectl dask and kubectl.
const STREAMS_PER_CONNECTION = 100;
let session;
pods.forEach((pod, i) => {
  if (i % STREAMS_PER_CONNECTION === 0) {
    session = http2.connect(server, tls);
    session.on('error', (error) => {
      console.error(error.message);
      process.exit(1);
    });
  }
  const stream = session.request({ ':path': `/api/v1/namespaces/${namespace}/pods/${pod}/log?follow=true&timestamps=true&tailLines=0` });
  let rest = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    const end = chunk.lastIndexOf(10) + 1;
    if (end === 0) {
      rest = Buffer.concat([rest, chunk]);
      return;
    }
    process.stdout.write(rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, end)]) : chunk.subarray(0, end));
    rest = chunk.subarray(end);
  });
});
