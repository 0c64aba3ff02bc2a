// PortForwarder (one SPDY session per pod, a pair of streams per connection) against the
// testbed's API server: kwok forwards a bare pod's ports to TCP servers in this process, so a
// test sees both ends of one forwarded connection. Ends, errors and pressure must reach the
// other side.
//
// kwok ends a forwarded stream only once both directions are done, and it never passes a FIN on
// to its target: so "the pod side closing ends the local socket" is shown with a target that
// closes first and a client that then half-closes. Nor does kwok close its connection to the
// target when the streams are reset, so a dropped connection shows as forwarding.closed
// resolving, not at the target.
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { type Cluster, KubeConfig, type User } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, KubectlDaskError } from '../../../src/core/errors.ts';
import { type Forwarding, PortForwarder } from '../../../src/kube/portforward.ts';
import { type Namespace, apply, contextName, forwardPodPort, freshNamespace, kubeconfigPath, kubectl, startConnectProxy, waitFor } from '../testbed/helpers.ts';
import { freePort, waitForReadyPods } from './helpers.ts';
import { TargetServer, settled } from './targets.ts';

const POD = 'fwd';
// Pod ports, each forwarded by kwok to a target of its own.
const ECHO = 7001;
const FLOOD = 7002;
const SINK = 7003;
const REFUSED = 7004;
/** No forward configured for this port. */
const UNCONFIGURED = 7005;
const HELLO = 7006;
const MiB = 1024 * 1024;
// More than every buffer between the target and this process (loopback TCP on each hop, kwok,
// the API server) can hold, so a stalled flow shows as bytes not yet written.
const FLOOD_BYTES = 256 * MiB;

let ns: Namespace;
let kc: KubeConfig;
let forwarder: PortForwarder;
const echo = new TargetServer('echo');
const flood = new TargetServer('flood', FLOOD_BYTES);
const sink = new TargetServer('sink');
const hello = new TargetServer('hello');
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  kc.setCurrentContext(contextName);
  forwarder = new PortForwarder(kc);
  ns = await freshNamespace('fwdconn');
  for (const [port, server] of [
    [ECHO, echo],
    [FLOOD, flood],
    [SINK, sink],
    [HELLO, hello],
  ] as const) {
    await forwardPodPort(ns.name, POD, port, await server.listen());
  }
  // A port on loopback that nothing listens on: the kubelet side's dial is refused.
  await forwardPodPort(ns.name, POD, REFUSED, await freePort());
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: ns.name, labels: { app: 'fwd' } },
    spec: { containers: [{ name: 'main', image: 'example.invalid/fwd:1' }] },
  });
  await waitForReadyPods(ns.name, 'app=fwd', 1);
  // kwok picks PortForward objects up from a watch: wait until the echo port answers.
  await waitFor(
    async () => {
      const { client, local } = await socketPair();
      try {
        await forward(local, ECHO);
        client.write('ping');
        const [reply] = (await Promise.race([once(client, 'data'), once(client, 'close').then(() => [''])])) as [Buffer | string];
        return String(reply) === 'ping';
      } finally {
        client.destroy();
        local.destroy();
      }
    },
    { what: `kwok to forward pod ${POD} port ${ECHO}`, timeoutMs: 30_000 },
  );
  echo.reset();
}, 120_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const server of [echo, flood, sink, hello]) server.reset();
});

afterAll(async () => {
  forwarder?.close();
  for (const server of [echo, flood, sink, hello]) await server.close();
  await ns?.cleanup();
});

/** A local client connected to a paused server-side socket, as net.Server pauseOnConnect gives. */
async function socketPair(options: { allowHalfOpen?: boolean } = {}): Promise<{ client: net.Socket; local: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  const [local] = await accepted;
  server.close();
  cleanups.push(() => {
    client.destroy();
    local.destroy();
  });
  return { client, local };
}

async function forward(local: net.Socket, port: number, pod = POD, via = forwarder): Promise<{ forwarding: Forwarding; bytes: { received: number; sent: number } }> {
  const bytes = { received: 0, sent: 0 };
  const forwarding = await via.forwardConnection({ namespace: ns.name, pod, port }, local, {
    received: (n) => void (bytes.received += n),
    sent: (n) => void (bytes.sent += n),
  });
  cleanups.push(() => forwarding.destroy());
  return { forwarding, bytes };
}

/** promise, or a failure naming what did not happen within ms (instead of the test timeout). */
function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with everything the client reads until it has n bytes. */
function readN(client: net.Socket, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= n) {
        client.off('data', onData);
        resolve(got);
      }
    };
    client.on('data', onData);
    client.once('close', () => reject(new Error(`client closed after ${JSON.stringify(got)}`)));
  });
}

/** The testbed context with some of its cluster's settings or its user replaced. */
function contextLike(change: { cluster?: Partial<Cluster>; user?: User }): KubeConfig {
  const cluster = { ...kc.getCurrentCluster()!, ...change.cluster };
  const user = change.user ?? kc.getCurrentUser()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [{ name: 'variant', cluster: cluster.name, user: user.name, namespace: ns.name }],
    currentContext: 'variant',
  });
  return config;
}

/**
 * A TCP relay in front of the API server, TLS passing through, so a test can count the
 * connections a PortForwarder makes and cut them. Its forwarder talks to the API server only
 * through the relay.
 */
async function relayedForwarder(): Promise<{ forwarder: PortForwarder; accepted: () => number; open: () => number; cut: () => void }> {
  const api = new URL(kc.getCurrentCluster()!.server);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let accepted = 0;
  const relay = net.createServer((downstream) => {
    accepted += 1;
    const upstream = net.connect(Number(api.port), api.hostname);
    const pair: [net.Socket, net.Socket] = [downstream, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pairs.delete(pair);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayed = new PortForwarder(contextLike({ cluster: { server: `https://127.0.0.1:${(relay.address() as AddressInfo).port}` } }));
  const cut = () => {
    for (const pair of pairs) for (const socket of pair) socket.destroy();
  };
  cleanups.push(() => {
    relayed.close();
    cut();
    relay.close();
  });
  return { forwarder: relayed, accepted: () => accepted, open: () => pairs.size, cut };
}

/** A forwarded echo connection that has carried one round trip. */
async function echoed(via = forwarder, text = 'hi'): Promise<{ client: net.Socket; forwarding: Forwarding }> {
  const { client, local } = await socketPair();
  const { forwarding } = await forward(local, ECHO, POD, via);
  const reply = readN(client, text.length);
  client.write(text);
  expect(await within(reply, `the echo of ${text}`)).toBe(text);
  return { client, forwarding };
}

describe('forwardConnection through the API server', () => {
  it('carries bytes both ways and counts them, without the port prefix', async () => {
    const { client, local } = await socketPair();
    const { bytes } = await forward(local, ECHO);
    const reply = readN(client, 10);
    client.write('hello dask');
    expect(await reply).toBe('hello dask');
    expect(bytes).toEqual({ received: 10, sent: 10 });
    expect(echo.connections[0]!.read).toBe(10);
  });

  it('sends what the client wrote before the session was open', async () => {
    const { client, local } = await socketPair();
    client.write('early');
    // The bytes sit in the paused local socket's kernel buffer until the forward is open.
    await waitFor(() => client.bytesWritten === 5, { what: 'the early bytes to leave the client' });
    const reply = readN(client, 5);
    await forward(local, ECHO);
    expect(await reply).toBe('early');
  });

  it('ends the streams when the local client ends', async () => {
    const { client, local } = await socketPair();
    const { forwarding } = await forward(local, ECHO);
    const reply = readN(client, 2);
    client.write('hi');
    await reply;
    const end = once(client, 'end');
    client.end();
    expect(await within(forwarding.closed, 'the forward to close')).toBeUndefined();
    // The local socket does not allow half-open connections: it ends the client's other half too.
    await end;
  });

  it('opens no streams for a local socket that closed while the session was opening', async () => {
    const { local } = await socketPair();
    local.destroy();
    await once(local, 'close');
    const { forwarding } = await forward(local, ECHO);
    expect(await within(forwarding.closed, 'the forward to close', 1_000)).toBeUndefined();
  });

  it('close() ends both sides cleanly', async () => {
    const { client, local } = await socketPair();
    const { forwarding } = await forward(local, ECHO);
    const reply = readN(client, 2);
    client.write('hi');
    await reply;
    forwarding.close();
    await within(once(client, 'end'), 'the client to see the end');
    client.end();
    expect(await within(forwarding.closed, 'both sides to close')).toBeUndefined();
    expect(local.destroyed).toBe(true);
  });

  it.each([
    ['a pod port with no forward', UNCONFIGURED],
    ['a target that refuses the connection', REFUSED],
  ])('drops the local connection with the reason the pod side reports for %s', async (_what, port) => {
    const { client, local } = await socketPair();
    const { forwarding } = await forward(local, port);
    // once() would reject on the ECONNRESET the client may see.
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.write('anyone there?');
    await within(closed, 'the client to be dropped');
    expect(local.destroyed).toBe(true);
    const reason = await forwarding.closed;
    expect(reason).toMatch(new RegExp(`\\b${port}\\b`));
  });

  it('refuses with the RBAC fix when the API server forbids port-forward, leaving the socket usable; and names a missing pod', async () => {
    // A ServiceAccount with no role: authenticated, allowed nothing.
    await kubectl(['create', 'serviceaccount', 'nobody', '-n', ns.name]);
    const token = (await kubectl(['create', 'token', 'nobody', '-n', ns.name])).trim();
    const denied = contextLike({ user: { name: 'nobody', token } });
    const { local } = await socketPair();
    const error = await forward(local, ECHO, POD, new PortForwarder(denied)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubectlDaskError);
    expect((error as KubectlDaskError).exitCode).toBe(ExitCode.forbidden);
    expect((error as Error).message).toContain(`may not create pods/portforward in namespace "${ns.name}"`);
    expect(local.destroyed).toBe(false);
    const notFound = await forward(local, ECHO, 'no-such-pod').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(KubectlDaskError);
    expect((notFound as KubectlDaskError).exitCode).toBe(ExitCode.notFound);
    expect(local.destroyed).toBe(false);
    // The socket the refusals left alone still forwards.
    const { client, local: usable } = await socketPair();
    await forward(usable, ECHO);
    const reply = readN(client, 2);
    client.write('ok');
    expect(await reply).toBe('ok');
  });

  it('carries many concurrent connections over one session, that is one connection to the API server', async () => {
    const relayed = await relayedForwarder();
    const count = 50;
    const replies = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const { client, local } = await socketPair();
        await forward(local, ECHO, POD, relayed.forwarder);
        const text = `connection ${i} `.repeat(100);
        const reply = readN(client, text.length);
        client.write(text);
        return (await within(reply, `the echo of connection ${i}`)) === text;
      }),
    );
    expect(replies.filter(Boolean)).toHaveLength(count);
    expect(echo.connections).toHaveLength(count);
    expect(relayed.accepted()).toBe(1);
  });

  it('drops the connections of a session that breaks, and opens a new session for the next one', async () => {
    const relayed = await relayedForwarder();
    const { client, forwarding } = await echoed(relayed.forwarder);
    const dropped = new Promise((resolve) => client.once('close', resolve));
    relayed.cut();
    expect(await within(forwarding.closed, 'the forward on the broken session to close')).toBeUndefined();
    await within(dropped, 'the local client to be dropped');
    await echoed(relayed.forwarder, 'again');
    expect(relayed.accepted()).toBe(2);
  });

  it('closes a released session once its last connection ends, and opens a new one for later connections', async () => {
    const relayed = await relayedForwarder();
    const { client, forwarding } = await echoed(relayed.forwarder);
    relayed.forwarder.release(ns.name, POD);
    // The released session still carries the connection it has.
    const reply = readN(client, 5);
    client.write('still');
    expect(await reply).toBe('still');
    expect(relayed.open()).toBe(1);
    client.end();
    await within(forwarding.closed, 'the forward to close');
    await waitFor(() => relayed.open() === 0, { what: 'the released session to close its connection to the API server' });
    await echoed(relayed.forwarder, 'new');
    expect(relayed.accepted()).toBe(2);
  });

  it("goes through the HTTP proxy the kubeconfig names (proxy-url), as client-node's requests do", async () => {
    const proxy = await startConnectProxy();
    const proxied = new PortForwarder(contextLike({ cluster: { proxyUrl: proxy.url } }));
    cleanups.push(() => {
      proxied.close();
      proxy.close();
    });
    await echoed(proxied);
    expect(proxy.targets).toEqual([new URL(kc.getCurrentCluster()!.server).host]);
  });

  it("half-closes the data stream on the local client's FIN, and still delivers the pod's answer", async () => {
    const { client, local } = await socketPair({ allowHalfOpen: true });
    await forward(local, ECHO);
    const reply = readN(client, 'last words'.length);
    client.end('last words');
    expect(await within(reply, 'the echo after the FIN')).toBe('last words');
  });

  it("ends the local socket when the pod side's stream ends, after the bytes it sent", async () => {
    const { client, local } = await socketPair({ allowHalfOpen: true });
    const { forwarding } = await forward(local, HELLO);
    let got = '';
    client.on('data', (d: Buffer) => (got += d.toString()));
    await waitFor(() => got === 'hello', { what: 'the greeting' });
    // kwok ends the stream once this side is done too; the end must come from there, well before
    // the 5 s after which a lingering half-open connection is dropped anyway.
    const ended = once(client, 'end');
    client.end();
    await within(ended, 'the pod side to end the local socket', 3_000);
    expect(await within(forwarding.closed, 'the forward to close')).toBeUndefined();
    expect(got).toBe('hello');
  });

  it('stops reading the pod side while the local client does not read, and catches up when it does', async () => {
    const { client, local } = await socketPair();
    client.pause();
    const { bytes } = await forward(local, FLOOD);
    await waitFor(() => flood.connections.length > 0, { what: 'kwok to dial the flood target' });
    const target = flood.connections[0]!;
    // Wait until the target cannot write more: every buffer on the way is full.
    const written = await settled(() => target.written);
    expect(written).toBeLessThan(FLOOD_BYTES / 2);
    // What this process holds for the client: the local socket's queue stays near one chunk.
    expect(local.writableLength).toBeLessThan(4 * MiB);
    expect(bytes.received - local.writableLength).toBeLessThanOrEqual(written);
    let drained = 0;
    client.on('data', (d: Buffer) => (drained += d.length));
    client.resume();
    await waitFor(() => drained === FLOOD_BYTES && bytes.received, { what: `all ${FLOOD_BYTES} bytes to reach the client`, timeoutMs: 90_000 });
    expect(target.written).toBe(FLOOD_BYTES);
    expect(bytes.received).toBe(FLOOD_BYTES);
  });

  it('stops reading the local client while the pod side does not read, and catches up when it does', async () => {
    const { client, local } = await socketPair();
    const { bytes } = await forward(local, SINK);
    const chunk = Buffer.alloc(256 * 1024, 1);
    let written = 0;
    // Like any well-behaved client: write until the socket says stop, go on at 'drain'.
    const fill = () => {
      while (written < FLOOD_BYTES) {
        written += chunk.length;
        if (!client.write(chunk)) return;
      }
    };
    client.on('drain', fill);
    fill();
    await waitFor(() => sink.connections.length > 0, { what: 'kwok to dial the sink target' });
    const target = sink.connections[0]!;
    // Wait until the client cannot write more.
    const sent = await settled(() => bytes.sent);
    expect(sent).toBeLessThan(FLOOD_BYTES / 2);
    expect(written).toBeLessThan(FLOOD_BYTES);
    target.socket.resume();
    await waitFor(() => target.read === FLOOD_BYTES, { what: `all ${FLOOD_BYTES} bytes to reach the target`, timeoutMs: 90_000 });
    expect(bytes.sent).toBe(FLOOD_BYTES);
  });
});
