// The client-node PortForward wrapper against a fake API server: ends, errors and pressure
// reach the other side.
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, KubectlDaskError } from '../../../src/core/errors.ts';
import { type Forwarding, forwardConnection } from '../../../src/kube/portforward.ts';
import { type FakeApiServer, echo, frame, startFakeApiServer } from './fake-apiserver.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A local client connected to a paused server-side socket, as net.Server pauseOnConnect gives. */
async function socketPair(): Promise<{ client: net.Socket; local: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [local] = await accepted;
  cleanups.push(() => {
    client.destroy();
    local.destroy();
  });
  return { client, local };
}

async function forward(api: FakeApiServer, pod: string, local: net.Socket): Promise<{ forwarding: Forwarding; bytes: { received: number; sent: number } }> {
  const bytes = { received: 0, sent: 0 };
  const forwarding = await forwardConnection(api.kc, { namespace: 'ns', pod, port: 8786 }, local, {
    received: (n) => void (bytes.received += n),
    sent: (n) => void (bytes.sent += n),
  });
  return { forwarding, bytes };
}

async function fake(behaviours: Parameters<typeof startFakeApiServer>[0]): Promise<FakeApiServer> {
  const api = await startFakeApiServer(behaviours);
  cleanups.push(() => api.close());
  return api;
}

describe('forwardConnection', () => {
  it('carries bytes both ways and counts them, without the port prefix', async () => {
    const api = await fake({ echo });
    const { client, local } = await socketPair();
    const { bytes } = await forward(api, 'echo', local);
    const reply = once(client, 'data');
    client.write('hello dask');
    expect(String((await reply)[0])).toBe('hello dask');
    expect(bytes).toEqual({ received: 10, sent: 10 });
  });

  it('sends what the client wrote before the WebSocket was open', async () => {
    const api = await fake({ echo });
    const { client, local } = await socketPair();
    client.write('early');
    await new Promise((r) => setTimeout(r, 20));
    await forward(api, 'echo', local);
    expect(String((await once(client, 'data'))[0])).toBe('early');
  });

  it('ends the local socket when the pod side closes, after delivering what was sent', async () => {
    const api = await fake({ bye: (ws) => ws.send(frame(0, 'bye'), () => ws.close()) });
    const { client, local } = await socketPair();
    const { forwarding } = await forward(api, 'bye', local);
    let received = '';
    client.on('data', (d) => (received += d));
    await once(client, 'end');
    expect(received).toBe('bye');
    client.end();
    expect(await forwarding.closed).toBeUndefined();
  });

  it('closes the WebSocket when the local client ends', async () => {
    const api = await fake({ echo });
    const { client, local } = await socketPair();
    const { forwarding } = await forward(api, 'echo', local);
    const serverClosed = new Promise<void>((resolve) => api.accepted[0]!.ws.on('close', resolve));
    client.end();
    await serverClosed;
    await forwarding.closed;
  });

  it('closes the WebSocket when the local socket closed while it was opening', async () => {
    const api = await fake({ echo });
    const { local } = await socketPair();
    local.destroy();
    await once(local, 'close');
    const { forwarding } = await forward(api, 'echo', local);
    await new Promise<void>((resolve) => api.accepted[0]!.ws.on('close', resolve));
    expect(await forwarding.closed).toBeUndefined();
  });

  it('drops the connection with the reason when the kubelet reports an error on stream 1', async () => {
    const reason = 'error forwarding port 8786 to pod abc: connection refused';
    const api = await fake({ refused: (ws) => ws.send(frame(1, reason)) });
    const { client, local } = await socketPair();
    const { forwarding } = await forward(api, 'refused', local);
    client.on('error', () => undefined);
    await once(client, 'close');
    expect(await forwarding.closed).toBe(reason);
  });

  it('close() ends both sides cleanly', async () => {
    const api = await fake({ echo });
    const { client, local } = await socketPair();
    const { forwarding } = await forward(api, 'echo', local);
    forwarding.close();
    await once(client, 'end');
    client.end();
    await forwarding.closed;
  });

  it('refuses with the RBAC fix when the API server forbids port-forward, leaving the socket usable', async () => {
    const api = await fake({});
    const { local } = await socketPair();
    const error = await forward(api, 'forbidden', local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubectlDaskError);
    expect((error as KubectlDaskError).exitCode).toBe(ExitCode.forbidden);
    expect((error as Error).message).toMatch(/may not create pods\/portforward in namespace "ns"/);
    expect(local.destroyed).toBe(false);
    const notFound = await forward(api, 'gone', local).catch((e: unknown) => e);
    expect((notFound as KubectlDaskError).exitCode).toBe(ExitCode.notFound);
  });

  it('stops reading the pod side while the local client does not read', async () => {
    const chunk = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    const api = await fake({
      flood: (ws) => {
        const pump = () => {
          // Like a kubelet: keep sending while the socket takes it.
          while (ws.bufferedAmount < 8 * chunk.length && sent < 64 * chunk.length) {
            ws.send(frame(0, chunk));
            sent += chunk.length;
          }
          if (sent < 64 * chunk.length) setTimeout(pump, 5);
        };
        pump();
      },
    });
    const { client, local } = await socketPair();
    client.pause();
    const { bytes } = await forward(api, 'flood', local);
    await new Promise((r) => setTimeout(r, 300));
    // 16 MiB offered; what reached us is bounded by socket buffers and one high-water mark.
    expect(sent).toBeLessThan(64 * chunk.length);
    expect(local.writableLength).toBeLessThan(4 * 1024 * 1024);
    const before = bytes.received;
    let drained = 0;
    client.on('data', (d: Buffer) => (drained += d.length));
    client.resume();
    await new Promise((r) => setTimeout(r, 300));
    expect(bytes.received).toBeGreaterThan(before);
    expect(drained).toBe(bytes.received);
  });

  it('stops reading the local client while the pod side does not read', async () => {
    let received = 0;
    const api = await fake({
      slow: (ws) => {
        ws.pause();
        ws.on('message', (data) => (received += data.length - 1));
      },
    });
    const { client, local } = await socketPair();
    const { bytes } = await forward(api, 'slow', local);
    const chunk = Buffer.alloc(256 * 1024, 1);
    let written = 0;
    const fill = () => {
      while (written < 64 * chunk.length && client.write(chunk)) written += chunk.length;
    };
    client.on('drain', fill);
    fill();
    await new Promise((r) => setTimeout(r, 300));
    // Read from the client: one WebSocket high-water mark plus socket buffers, not 16 MiB.
    expect(bytes.sent).toBeLessThan(6 * 1024 * 1024);
    api.accepted[0]!.ws.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toBeGreaterThan(6 * 1024 * 1024);
  });
});
