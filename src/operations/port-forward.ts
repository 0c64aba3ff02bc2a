// `kubectl dask port-forward` and `dashboard`: a local server per port whose connections each
// get their own pair of streams on the port-forward session of the scheduler pod that is Ready
// now. A pod watch keeps that choice current, so a deleted or replaced scheduler costs its open
// connections (closed cleanly) and its session, not the command: the next connection goes to
// the new pod.
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { ExitCode, KubectlDaskError } from '../core/errors.ts';
import { summarizePod } from '../core/readiness.ts';
import { componentSelector, labelSelector, schedulerName } from '../core/spec.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Forwarding } from '../kube/portforward.ts';
import { clusterMissing } from './cluster.ts';
import { compareText } from '../core/order.ts';

export interface ForwardPort {
  /** What the port is, for messages: scheduler or dashboard. */
  label: 'scheduler' | 'dashboard';
  /** The flag that sets the local port, named in errors. */
  flag: string;
  /** Local port; 0 picks a free one. */
  local: number;
  remote: number;
}

export interface ForwardRequest {
  namespace: string;
  name: string;
  address: string;
  ports: ForwardPort[];
  signal: AbortSignal;
}

/** Live counters; the object is updated in place, so a view may sample it at its own pace. */
export interface ForwardState {
  /** The Ready scheduler pod new connections go to; undefined while there is none. */
  target?: string;
  open: number;
  /** Bytes from the pod to local clients, and from local clients to the pod. */
  received: number;
  sent: number;
  /** Attempts to open a forward that had to be repeated. */
  reconnects: number;
}

export interface ForwardView {
  /** The servers listen and a Ready scheduler pod's session is open; ports carry the actual local port numbers. */
  listening(ports: ForwardPort[]): void;
  /** Something changed: target, open connections, reconnects. */
  update(state: Readonly<ForwardState>): void;
  notice(text: string): void;
}

// How long a new connection waits for a Ready scheduler pod before it is closed.
const WAIT_FOR_POD_MS = 30_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;

/**
 * Keeps the current target while it is Ready and not terminating, so connections do not hop
 * between pods during a rollout; otherwise the newest Ready pod.
 */
export function pickTarget(pods: V1Pod[], current: string | undefined): string | undefined {
  const ready = pods
    .map(summarizePod)
    .filter((p) => p.ready && !p.terminating)
    .sort((a, b) => compareText(b.createdAt ?? '', a.createdAt ?? '') || compareText(a.name, b.name));
  if (current !== undefined && ready.some((p) => p.name === current)) return current;
  return ready[0]?.name;
}

/** The host to print for a bind address: loopback for "any address", brackets for IPv6. */
export function displayHost(address: string): string {
  if (address === '0.0.0.0' || address === '') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

/** Serves until request.signal aborts (then resolves) or a failure no retry can fix. */
export async function runPortForward(client: KubeClient, request: ForwardRequest, view: ForwardView): Promise<void> {
  const { namespace, name, signal } = request;
  if (!(await client.getDeployment(namespace, schedulerName(name)))) throw await clusterMissing(client, name, namespace);

  const state: ForwardState = { open: 0, received: 0, sent: 0, reconnects: 0 };
  const counters = { received: (n: number) => void (state.received += n), sent: (n: number) => void (state.sent += n) };
  const stop = new AbortController();
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    stop.abort();
  };
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  // A Ctrl-C while the Deployment was read fired before there was a listener.
  if (signal.aborted) onAbort();

  const sockets = new Set<net.Socket>();
  const forwards = new Map<string, Set<Forwarding>>();
  // Connections waiting for a Ready pod; called whenever the target changes.
  const waiters = new Set<() => void>();

  const readyTarget = (deadline: number): Promise<string | undefined> => {
    if (state.target !== undefined) return Promise.resolve(state.target);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        stop.signal.removeEventListener('abort', finish);
        resolve(stop.signal.aborted ? undefined : state.target);
      };
      const wake = () => state.target !== undefined && finish();
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
      waiters.add(wake);
      stop.signal.addEventListener('abort', finish, { once: true });
    });
  };

  const serve = async (socket: net.Socket, port: ForwardPort) => {
    sockets.add(socket);
    // Until the forward takes over, a client that resets must not crash the process.
    socket.on('error', () => undefined);
    state.open += 1;
    view.update(state);
    const deadline = Date.now() + WAIT_FOR_POD_MS;
    let delay = FIRST_RETRY_MS;
    try {
      while (!stop.signal.aborted && !socket.destroyed) {
        const pod = await readyTarget(deadline);
        if (pod === undefined) {
          if (!stop.signal.aborted) view.notice(`no Ready scheduler pod within ${WAIT_FOR_POD_MS / 1000} s: closed a connection to local port ${port.local}`);
          return;
        }
        try {
          const forward = await client.forwardConnection({ namespace, pod, port: port.remote }, socket, counters);
          const open = forwards.get(pod) ?? new Set();
          forwards.set(pod, open.add(forward));
          const reason = await forward.closed;
          open.delete(forward);
          if (open.size === 0 && forwards.get(pod) === open) forwards.delete(pod);
          if (reason) view.notice(`pod ${pod} port ${port.remote}: ${reason}`);
          return;
        } catch (error) {
          if (stop.signal.aborted) return;
          if (error instanceof KubectlDaskError && error.exitCode === ExitCode.forbidden) return fail(error);
          if (Date.now() + delay > deadline) {
            view.notice(`could not forward a connection to pod ${pod}: ${(error as Error).message}`);
            return;
          }
          state.reconnects += 1;
          view.notice(`could not reach pod ${pod} (${(error as Error).message}); retrying`);
          view.update(state);
          await sleep(delay, undefined, { signal: stop.signal }).catch(() => undefined);
          delay = Math.min(delay * 2, MAX_RETRY_MS);
        }
      }
    } finally {
      socket.destroy();
      sockets.delete(socket);
      state.open -= 1;
      view.update(state);
    }
  };

  const ports: ForwardPort[] = [];
  let seen = false;
  const onPods = (pods: V1Pod[]) => {
    const target = pickTarget(pods, state.target);
    // Connections to a pod that is gone or shutting down would only break later, mid-request.
    const live = new Set(pods.map(summarizePod).filter((p) => !p.terminating).map((p) => p.name));
    for (const [pod, open] of forwards) {
      if (live.has(pod)) continue;
      if (open.size > 0) view.notice(`scheduler pod ${pod} went away: closing its ${open.size} connection(s)`);
      for (const forward of open) forward.close();
      forwards.delete(pod);
      client.releaseForwardedPod(namespace, pod);
    }
    if (target === state.target && seen) return;
    const first = !seen;
    seen = true;
    if (state.target !== undefined) client.releaseForwardedPod(namespace, state.target);
    view.notice(target ? `forwarding to scheduler pod ${target}` : 'no Ready scheduler pod: new connections wait for one');
    state.target = target;
    for (const wake of waiters) wake();
    view.update(state);
    // The pod's session opens now, not with the first connection: as with kubectl, whose forward
    // starts with it, a user who may not forward is told before any address is printed. Other
    // failures are for connections to retry.
    const prepared = target === undefined ? Promise.resolve() : client.prepareForward({ namespace, pod: target }).catch((error: unknown) => {
      if (error instanceof KubectlDaskError && error.exitCode === ExitCode.forbidden) fail(error);
    });
    if (first) void prepared.then(() => stop.signal.aborted || view.listening(ports));
  };

  const servers: net.Server[] = [];
  try {
    for (const requested of request.ports) {
      const port = { ...requested };
      // Half-open: a client that ends its side may still read the pod's answer.
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => void serve(socket, port).catch(fail));
      servers.push(server);
      port.local = await listen(server, requested, request.address);
      // Errors after listening (e.g. too many open files) are per connection: report and go on.
      server.on('error', (error) => view.notice(`local port ${port.local}: ${error.message}`));
      ports.push(port);
    }
    await client.observePods(namespace, labelSelector(componentSelector(name, 'scheduler')), stop.signal, onPods);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    for (const server of servers) server.close();
    for (const open of forwards.values()) for (const forward of open) forward.destroy();
    for (const socket of sockets) socket.destroy();
    client.stopForwarding();
  }
  if (failure !== undefined) throw failure;
}

function listen(server: net.Server, port: ForwardPort, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port, address)));
    server.listen({ port: port.local, host: address }, () => {
      server.removeAllListeners('error');
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function listenError(error: NodeJS.ErrnoException, port: ForwardPort, address: string): KubectlDaskError {
  const where = `${displayHost(address)}:${port.local}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new KubectlDaskError(`local port ${where} is already in use: pass ${port.flag} 0 for any free port, or another ${port.flag}`, ExitCode.failure);
    case 'EACCES':
      return new KubectlDaskError(`not allowed to listen on ${where} (ports below 1024 need privileges): pass ${port.flag} 0 or a port above 1023`, ExitCode.failure);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new KubectlDaskError(`cannot listen on ${where}: ${address} is not an address of this machine; check --address`, ExitCode.usage);
    default:
      return new KubectlDaskError(`cannot listen on ${where}: ${error.message}`, ExitCode.failure);
  }
}
