// runPortForward with a fake pod watch and a fake API server: which pod each connection reaches
// as the scheduler pod comes and goes.
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubectlDaskError } from '../../../src/core/errors.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { type ForwardTarget, type ByteCounters, forwardConnection } from '../../../src/kube/portforward.ts';
import { type ForwardPort, type ForwardState, displayHost, pickTarget, runPortForward } from '../../../src/operations/port-forward.ts';
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver.ts';

function schedulerPod(name: string, opts: { ready?: boolean; terminating?: boolean; created?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(opts.created ?? '2026-01-01T00:00:00Z'),
      labels: { 'app.kubernetes.io/component': 'scheduler' },
      ...(opts.terminating ? { deletionTimestamp: new Date('2026-01-01T01:00:00Z') } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

/** Answers with the pod's name, so a test sees which pod a connection reached. */
const whoAmI = (pod: string) => (ws: { send(b: Buffer): void }) => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(pod)]));

class FakeClient {
  private onPods: ((pods: V1Pod[]) => void) | undefined;
  private readonly api: FakeApiServer;
  private pods: V1Pod[];
  constructor(api: FakeApiServer, pods: V1Pod[]) {
    this.api = api;
    this.pods = pods;
  }
  async getDeployment() {
    return {};
  }
  observePods(_ns: string, _selector: string, signal: AbortSignal, onChange: (pods: V1Pod[]) => void): Promise<void> {
    this.onPods = onChange;
    onChange(this.pods);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  setPods(pods: V1Pod[]) {
    this.pods = pods;
    this.onPods?.(pods);
  }
  forwardConnection(target: ForwardTarget, socket: net.Socket, counters: ByteCounters) {
    return forwardConnection(this.api.kc, target, socket, counters);
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(pods: V1Pod[], ports: ForwardPort[] = [{ label: 'scheduler', flag: '--port', local: 0, remote: 8786 }]) {
  const api = await startFakeApiServer({ a: whoAmI('a'), b: whoAmI('b') });
  cleanups.push(() => api.close());
  const client = new FakeClient(api, pods);
  const stop = new AbortController();
  const notices: string[] = [];
  let state: Readonly<ForwardState> | undefined;
  const listening = new Promise<ForwardPort[]>((resolve, reject) => {
    const done = runPortForward(client as unknown as KubeClient, { namespace: 'ns', name: 'dask', address: '127.0.0.1', ports, signal: stop.signal }, {
      listening: resolve,
      update: (s) => (state = s),
      notice: (text) => void notices.push(text),
    });
    done.catch(reject);
    cleanups.push(() => {
      stop.abort();
      return done.catch(() => undefined);
    });
  });
  return { client, stop, notices, state: () => state, listening };
}

/** Connects and resolves with the first bytes received (the pod name) and the socket. */
async function connect(port: number): Promise<{ socket: net.Socket; reply: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, reply: once(socket, 'data').then(([d]) => String(d)) };
}

describe('runPortForward', () => {
  it('forwards each connection to the Ready scheduler pod and reports it', async () => {
    const { listening, notices, state } = await start([schedulerPod('a')]);
    const [port] = await listening;
    expect(port!.local).toBeGreaterThan(0);
    const { reply } = await connect(port!.local);
    expect(await reply).toBe('a');
    expect(notices).toEqual(['forwarding to scheduler pod a']);
    expect(state()).toMatchObject({ target: 'a', open: 1, received: 1 });
  });

  it('holds a connection until a scheduler pod is Ready', async () => {
    const { client, listening, notices } = await start([schedulerPod('a', { ready: false })]);
    const [port] = await listening;
    const { reply } = await connect(port!.local);
    await new Promise((r) => setTimeout(r, 50));
    client.setPods([schedulerPod('a')]);
    expect(await reply).toBe('a');
    expect(notices).toEqual(['no Ready scheduler pod: new connections wait for one', 'forwarding to scheduler pod a']);
  });

  it('closes connections to a deleted pod and sends new ones to its replacement on the same port', async () => {
    const { client, listening, notices } = await start([schedulerPod('a')]);
    const [port] = await listening;
    const first = await connect(port!.local);
    expect(await first.reply).toBe('a');
    const ended = once(first.socket, 'end');
    client.setPods([schedulerPod('a', { terminating: true }), schedulerPod('b', { created: '2026-01-01T00:05:00Z' })]);
    await ended;
    const second = await connect(port!.local);
    expect(await second.reply).toBe('b');
    expect(notices).toEqual(['forwarding to scheduler pod a', 'scheduler pod a went away: closing its 1 connection(s)', 'forwarding to scheduler pod b']);
  });

  it('names the flag to change when the local port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const busy = (blocker.address() as AddressInfo).port;
    const { listening } = await start([schedulerPod('a')], [{ label: 'dashboard', flag: '--dashboard-port', local: busy, remote: 8787 }]);
    const error = await listening.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubectlDaskError);
    expect((error as Error).message).toBe(`local port 127.0.0.1:${busy} is already in use: pass --dashboard-port 0 for any free port, or another --dashboard-port`);
  });

  it('stops listening and drops connections when stopped', async () => {
    const { listening, stop } = await start([schedulerPod('a')]);
    const [port] = await listening;
    const { socket, reply } = await connect(port!.local);
    await reply;
    stop.abort();
    await once(socket, 'close');
    const refused = net.connect(port!.local, '127.0.0.1');
    const [error] = (await once(refused, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});

describe('pickTarget', () => {
  const a = schedulerPod('a', { created: '2026-01-01T00:00:00Z' });
  const b = schedulerPod('b', { created: '2026-01-01T00:05:00Z' });

  it('takes the newest Ready pod, and stays on the current one while it is Ready', () => {
    expect(pickTarget([a, b], undefined)).toBe('b');
    expect(pickTarget([a, b], 'a')).toBe('a');
  });

  it('leaves pods that are terminating or not Ready', () => {
    expect(pickTarget([schedulerPod('a', { terminating: true }), b], 'a')).toBe('b');
    expect(pickTarget([schedulerPod('a', { ready: false })], 'a')).toBeUndefined();
    expect(pickTarget([], undefined)).toBeUndefined();
  });
});

it('prints loopback for any-address binds and brackets IPv6', () => {
  expect(displayHost('127.0.0.1')).toBe('127.0.0.1');
  expect(displayHost('0.0.0.0')).toBe('127.0.0.1');
  expect(displayHost('::')).toBe('[::1]');
  expect(displayHost('::1')).toBe('[::1]');
  expect(displayHost('localhost')).toBe('localhost');
});
