// One-off requests to the Dask scheduler's HTTP API (on the dashboard port), through the same
// port-forwarding as `kubectl dask port-forward`: a private local server on a free loopback port
// that lives only for the request.
import { request as httpRequest } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { DASHBOARD_PORT } from '../core/spec.ts';
import type { KubeClient } from '../kube/client.ts';

const noCounting = { received() {}, sent() {} };

export async function callSchedulerApi<T>(
  client: KubeClient,
  target: { namespace: string; pod: string },
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<T> {
  // Why the forward failed (forbidden, API server unreachable) says more than the reset it causes.
  let forwardError: unknown;
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    client.forwardConnection({ ...target, port: DASHBOARD_PORT }, socket, noCounting).catch((error: unknown) => {
      forwardError = error;
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  try {
    const { port } = server.address() as AddressInfo;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          // No keep-alive: the forward ends with this request.
          agent: false,
          timeout: timeoutMs,
          signal,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200) resolve(text);
            else reject(new Error(`${method} ${path} answered HTTP ${res.statusCode}${res.statusCode === 404 ? ' (the scheduler HTTP API is not enabled)' : ''}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} got no answer in ${Math.round(timeoutMs / 1000)}s`)));
      req.on('error', reject);
      req.end(payload);
    }).catch((error: unknown) => {
      throw forwardError ?? error;
    });
    return JSON.parse(text) as T;
  } finally {
    server.close();
  }
}
