// Helpers for e2e tests against the local testbed (npm run cluster:up, or the e2e global
// setup). The cluster is kwok-simulated: pods become Running/Ready without running anything,
// their logs come from CRI-format files and port-forwards go to local addresses, both
// configured through kwok's Logs / PortForward objects (and their Cluster* variants).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  componentLogsDir,
  contextName,
  kubeconfigPath,
  kubectlPath,
  logsLink,
  rel,
  testbedEnv,
} from '../../cluster/testbed.ts';

export { componentLogsDir, contextName, kubeconfigPath, kubectlPath, logsLink, testbedEnv };

export type Cleanup = () => Promise<void>;

const kwokApiVersion = 'kwok.x-k8s.io/v1alpha1';
/** Label on cluster-scoped kwok objects made for a namespace; the namespace cleanup deletes them. */
const ownerLabel = 'kubectl-dask.test/namespace';

function notUp(): Error {
  return new Error(`the local test cluster is not up (no ${rel(kubectlPath)}): run npm run cluster:up`);
}

/** kubectl against the testbed (explicit --kubeconfig and --context); resolves to stdout. */
export function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  if (!fs.existsSync(kubectlPath) || !fs.existsSync(kubeconfigPath)) return Promise.reject(notUp());
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath,
      ['--kubeconfig', kubeconfigPath, '--context', contextName, ...args],
      { env: testbedEnv(), timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** kubectl ... -o json, parsed. */
export async function kubectlJson<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

/** A long-running kubectl (logs -f, port-forward, watch); stop it with child.kill(). */
export function spawnKubectl(args: string[]): ChildProcess {
  if (!fs.existsSync(kubectlPath)) throw notUp();
  return spawn(kubectlPath, ['--kubeconfig', kubeconfigPath, '--context', contextName, ...args], {
    env: testbedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Creates or updates objects with kubectl apply (JSON on stdin). */
export async function apply(...objects: object[]): Promise<void> {
  await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
}

/** Polls fn until it returns something other than undefined/false, or throws after timeoutMs. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

export interface Namespace {
  name: string;
  /** Deletes the namespace (without waiting) and the cluster-scoped kwok objects made for it. */
  cleanup: Cleanup;
  [Symbol.asyncDispose]: Cleanup;
}

/** Creates a uniquely named namespace whose default ServiceAccount exists (pods can be created). */
export async function freshNamespace(prefix = 'e2e'): Promise<Namespace> {
  const stem = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  const name = `${stem}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubectl-dask.test/e2e': 'true' } } });
  await waitFor(() => kubectl(['get', 'serviceaccount', 'default', '-n', name, '-o', 'name']), {
    what: `the default ServiceAccount in ${name}`,
  });
  const cleanup = async () => {
    await kubectl([
      'delete',
      'clusterlogs.kwok.x-k8s.io,clusterportforwards.kwok.x-k8s.io',
      '-l',
      `${ownerLabel}=${name}`,
      '--ignore-not-found',
    ]);
    await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
  };
  return { name, cleanup, [Symbol.asyncDispose]: cleanup };
}

// ---- logs ------------------------------------------------------------------------------

/** Appends one CRI-format log line (`<RFC3339Nano> stdout F <text>`) per line of text. */
export function appendLogLine(file: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
  const lines = text.split('\n').map((line) => `${new Date().toISOString()} ${stream} F ${line}\n`);
  fs.appendFileSync(file, lines.join(''));
}

export interface LogsOptions {
  /** Only these containers (default: every container of the pod). */
  containers?: string[];
  /** Served for `kubectl logs --previous`. */
  previousFile?: string;
}

function logEntry(file: string, opts: LogsOptions) {
  const abs = path.resolve(file);
  // kwok fails the request when the file does not exist yet.
  fs.appendFileSync(abs, '');
  const entry: Record<string, unknown> = { logsFile: abs };
  if (opts.containers?.length) entry.containers = opts.containers;
  if (opts.previousFile) {
    entry.previousLogsFile = path.resolve(opts.previousFile);
    fs.appendFileSync(entry.previousLogsFile as string, '');
  }
  return entry;
}

/**
 * Serves a pod's logs (`kubectl logs [-f]`) from a CRI-format file via a kwok Logs object named
 * after the pod. One Logs object per pod: a second call for the same pod replaces the first.
 */
export async function servePodLogsFromFile(
  namespace: string,
  podName: string,
  file: string,
  opts: LogsOptions = {},
): Promise<Cleanup> {
  await apply({
    apiVersion: kwokApiVersion,
    kind: 'Logs',
    metadata: { name: podName, namespace },
    spec: { logs: [logEntry(file, opts)] },
  });
  return async () => {
    await kubectl(['delete', 'logs.kwok.x-k8s.io', podName, '-n', namespace, '--ignore-not-found']);
  };
}

/** Which pods a Cluster* kwok object applies to. kwok selects by namespace and name only (no labels). */
export interface PodSelector {
  /** Pod names to match (default: every pod in the namespace). */
  podNames?: string[];
}

function clusterObjectName(kind: string, namespace: string): string {
  return `${namespace}-${kind}-${randomBytes(3).toString('hex')}`.slice(0, 253);
}

/**
 * Serves the logs of every pod in a namespace (or of the named ones) from one file, via a
 * kwok ClusterLogs object: for Deployments, whose pod names are random. Pod-specific Logs
 * objects take precedence. The namespace's cleanup also removes it.
 */
export async function serveNamespaceLogsFromFile(
  namespace: string,
  file: string,
  opts: LogsOptions & PodSelector = {},
): Promise<Cleanup> {
  const name = clusterObjectName('logs', namespace);
  await apply({
    apiVersion: kwokApiVersion,
    kind: 'ClusterLogs',
    metadata: { name, labels: { [ownerLabel]: namespace } },
    spec: {
      selector: { matchNamespaces: [namespace], ...(opts.podNames ? { matchNames: opts.podNames } : {}) },
      logs: [logEntry(file, opts)],
    },
  });
  return async () => {
    await kubectl(['delete', 'clusterlogs.kwok.x-k8s.io', name, '--ignore-not-found']);
  };
}

// ---- port-forward ----------------------------------------------------------------------

/**
 * Where kwok sends a forwarded connection: a port on 127.0.0.1, "host:port", an address
 * object, or a command speaking the stream on stdin/stdout.
 */
export type ForwardTarget = number | string | { address: string; port: number } | { command: string[] };

function forwardEntry(port: number | undefined, target: ForwardTarget) {
  const entry: Record<string, unknown> = {};
  if (port !== undefined) entry.ports = [port];
  if (typeof target === 'number') {
    entry.target = { address: '127.0.0.1', port: target };
  } else if (typeof target === 'string') {
    const i = target.lastIndexOf(':');
    const port = Number(target.slice(i + 1));
    if (i < 0 || !Number.isInteger(port)) throw new Error(`forward target ${JSON.stringify(target)} is not host:port`);
    entry.target = { address: target.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port };
  } else if ('command' in target) {
    entry.command = target.command;
  } else {
    entry.target = { address: target.address, port: target.port };
  }
  return entry;
}

function mergeForwards(existing: any[] | undefined, port: number | undefined, entry: object): object[] {
  const others = (existing ?? []).filter((f) =>
    port === undefined ? (f.ports?.length ?? 0) > 0 : !(f.ports ?? []).includes(port),
  );
  return [...others, entry];
}

async function getOrUndefined(args: string[]): Promise<any> {
  const out = await kubectl(['get', ...args, '-o', 'json', '--ignore-not-found']);
  return out.trim() ? JSON.parse(out) : undefined;
}

/**
 * Makes `kubectl port-forward pod/<podName> <port>` reach target, via the pod's kwok
 * PortForward object. port undefined = every port not configured otherwise. Calls for other
 * ports of the same pod add to the object. The cleanup removes the whole object.
 */
export async function forwardPodPort(
  namespace: string,
  podName: string,
  port: number | undefined,
  target: ForwardTarget,
): Promise<Cleanup> {
  const existing = await getOrUndefined(['portforwards.kwok.x-k8s.io', podName, '-n', namespace]);
  await apply({
    apiVersion: kwokApiVersion,
    kind: 'PortForward',
    metadata: { name: podName, namespace },
    spec: { forwards: mergeForwards(existing?.spec?.forwards, port, forwardEntry(port, target)) },
  });
  return async () => {
    await kubectl(['delete', 'portforwards.kwok.x-k8s.io', podName, '-n', namespace, '--ignore-not-found']);
  };
}

/**
 * Like forwardPodPort for every pod of a namespace (or the named ones), via a kwok
 * ClusterPortForward object; for Deployments. Pod-specific PortForward objects take precedence.
 */
export async function forwardNamespacePort(
  namespace: string,
  port: number | undefined,
  target: ForwardTarget,
  opts: PodSelector = {},
): Promise<Cleanup> {
  const name = clusterObjectName('portforward', namespace);
  await apply({
    apiVersion: kwokApiVersion,
    kind: 'ClusterPortForward',
    metadata: { name, labels: { [ownerLabel]: namespace } },
    spec: {
      selector: { matchNamespaces: [namespace], ...(opts.podNames ? { matchNames: opts.podNames } : {}) },
      forwards: [forwardEntry(port, target)],
    },
  });
  return async () => {
    await kubectl(['delete', 'clusterportforwards.kwok.x-k8s.io', name, '--ignore-not-found']);
  };
}

/** Runs `kubectl port-forward <resource> :<remotePort>` and resolves once it listens. */
export async function kubectlPortForward(
  namespace: string,
  resource: string,
  remotePort: number,
): Promise<{ localPort: number; process: ChildProcess; stop: () => void }> {
  const child = spawnKubectl(['port-forward', '-n', namespace, '--address', '127.0.0.1', resource, `:${remotePort}`]);
  let output = '';
  const localPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl port-forward ${resource} did not start within 20 s: ${output.trim()}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward ${resource} exited (${code}): ${output.trim()}`));
    });
  });
  return { localPort, process: child, stop: () => void child.kill() };
}

/** Where each component's log is, for messages on failure. */
export function componentLogsHint(): string {
  return `component logs: ${rel(logsLink)}/ (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok-controller .log)`;
}

/** A TCP port nothing listens on right now, on host. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ConnectProxy {
  url: string;
  /** host:port of every CONNECT request, in order. */
  targets: string[];
  close(): void;
}

/** An HTTP proxy on loopback that tunnels CONNECT requests, as a kubeconfig's proxy-url names one. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (request: Buffer) => {
      const [, target] = /^CONNECT (\S+) HTTP\/1\.1\r\n/.exec(request.toString('latin1')) ?? [];
      if (target === undefined) return client.destroy();
      targets.push(target);
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const upstream = net.connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => {
        sockets.delete(client);
        upstream.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    targets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    },
  };
}
