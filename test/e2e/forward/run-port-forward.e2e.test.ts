// runPortForward with a real KubeClient against the testbed: its pod watch and forwards go
// through the real API server. Bare pods named a and b stand in for scheduler pods (same
// labels; a Deployment with no replicas makes the cluster exist), and kwok forwards each one's
// 8786 to a server here that answers with the pod's name, so a test sees which pod a connection
// reached.
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { componentSelector, schedulerName } from '../../../src/core/spec.ts';
import { KubeClient } from '../../../src/kube/client.ts';
import { type ForwardPort, type ForwardState, runPortForward } from '../../../src/operations/port-forward.ts';
import { type Namespace, apply, contextName, forwardPodPort, freshNamespace, kubeconfigPath, kubectl, waitFor } from '../testbed/helpers.ts';
import { waitForReadyPods } from './helpers.ts';

const CLUSTER = 'dask';
const labels = componentSelector(CLUSTER, 'scheduler');
const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

let ns: Namespace;
const servers: net.Server[] = [];
const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** Answers every connection with name, then keeps it open. */
async function whoAmI(name: string): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(name);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function schedulerPod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns.name, labels },
    spec: { containers: [{ name: 'scheduler', image: 'example.invalid/dask:1', ports: [{ containerPort: 8786 }] }] },
  };
}

beforeAll(async () => {
  ns = await freshNamespace('runpf');
  // Forwards first: kwok has them by the time the pods are Ready.
  await forwardPodPort(ns.name, 'a', 8786, await whoAmI('a'));
  await forwardPodPort(ns.name, 'b', 8786, await whoAmI('b'));
  await apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: schedulerName(CLUSTER), namespace: ns.name },
    spec: {
      replicas: 0,
      selector: { matchLabels: { ...labels, 'kubectl-dask.test/unused': 'true' } },
      template: { metadata: { labels: { ...labels, 'kubectl-dask.test/unused': 'true' } }, spec: { containers: [{ name: 'scheduler', image: 'example.invalid/dask:1' }] } },
    },
  });
}, 120_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await kubectl(['delete', 'pods', '-n', ns.name, '--all', '--grace-period=0', '--force', '--wait=true']);
});

afterAll(async () => {
  for (const server of servers) server.close();
  await ns?.cleanup();
});

async function start() {
  const client = await KubeClient.connect({ kubeconfig: kubeconfigPath, context: contextName });
  const stop = new AbortController();
  const notices: string[] = [];
  let state: Readonly<ForwardState> | undefined;
  const ports: ForwardPort[] = [{ label: 'scheduler', flag: '--port', local: 0, remote: 8786 }];
  const listening = new Promise<ForwardPort[]>((resolve, reject) => {
    const done = runPortForward(client, { namespace: ns.name, name: CLUSTER, address: '127.0.0.1', ports, signal: stop.signal }, {
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
  const [port] = await listening;
  return { port: port!.local, notices, stop, state: () => state };
}

/** Connects; reply resolves with the first bytes received (the pod's name). */
async function connect(port: number): Promise<{ socket: net.Socket; reply: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, reply: once(socket, 'data').then(([d]) => String(d)) };
}

describe('runPortForward through the API server', () => {
  it('holds a connection until a scheduler pod is Ready, then forwards it there', async () => {
    const { port, notices, state } = await start();
    await waitFor(() => notices.includes('no Ready scheduler pod: new connections wait for one'), { what: 'the wait notice' });
    const { reply } = await connect(port);
    expect(state()).toMatchObject({ target: undefined, open: 1 });
    await apply(schedulerPod('a'));
    expect(await reply).toBe('a');
    expect(notices).toEqual(['no Ready scheduler pod: new connections wait for one', 'forwarding to scheduler pod a']);
    expect(state()).toMatchObject({ target: 'a', open: 1, received: 1 });
  });

  it('closes connections to a deleted pod and sends new ones to the Ready pod left, on the same port', async () => {
    await apply(schedulerPod('a'));
    await waitForReadyPods(ns.name, selector, 1);
    const { port, notices } = await start();
    const first = await connect(port);
    expect(await first.reply).toBe('a');
    // b is Ready too, but a keeps the connections while it is Ready.
    await apply(schedulerPod('b'));
    await waitForReadyPods(ns.name, selector, 2);
    const again = await connect(port);
    expect(await again.reply).toBe('a');
    const ended = once(first.socket, 'end');
    await kubectl(['delete', 'pod', 'a', '-n', ns.name, '--wait=false']);
    await ended;
    const second = await connect(port);
    expect(await second.reply).toBe('b');
    expect(notices).toEqual(['forwarding to scheduler pod a', 'scheduler pod a went away: closing its 2 connection(s)', 'forwarding to scheduler pod b']);
  });

  it('stops listening and drops its connections when stopped', async () => {
    await apply(schedulerPod('a'));
    await waitForReadyPods(ns.name, selector, 1);
    const { port, stop } = await start();
    const { socket, reply } = await connect(port);
    expect(await reply).toBe('a');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    stop.abort();
    await closed;
    const refused = net.connect(port, '127.0.0.1');
    const [error] = (await once(refused, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});
