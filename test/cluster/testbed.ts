// The local Kubernetes testbed: a kwokctl "binary" cluster (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok-controller as local processes bound to
// 127.0.0.1) built from source by build.sh. Used by `npm run cluster:up` / `cluster:down`
// and by the e2e global setup. Everything lives under <repo>/.cluster/.
//
// Runs directly on Node 24 (type stripping): erasable TypeScript only, imports with .ts.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const clusterDir = path.join(repoRoot, '.cluster');
/** KWOK_WORKDIR: kwokctl keeps its clusters/ and cache/ here, never in ~/.kwok. */
export const kwokWorkdir = path.join(clusterDir, 'kwok');
export const clusterName = 'kubectl-dask';
export const contextName = 'kubectl-dask-test';
/** kwokctl's directory for our cluster: pki/, etcd/, pids/, logs/, bin/, kwok.yaml. */
export const componentDir = path.join(kwokWorkdir, 'clusters', clusterName);
/** One <component>.log per process; `.cluster/logs` is a symlink to it. */
export const componentLogsDir = path.join(componentDir, 'logs');
export const logsLink = path.join(clusterDir, 'logs');
export const kubeconfigPath = path.join(clusterDir, 'kubeconfig');
export const kubectlPath = path.join(clusterDir, 'bin', 'kubectl');
const pidsDir = path.join(componentDir, 'pids');
const componentBinDir = path.join(componentDir, 'bin');
const kwokctlConfigPath = path.join(clusterDir, 'kwokctl.yaml');
const kwokctlLogPath = path.join(clusterDir, 'kwokctl.log');

export const components = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok-controller',
] as const;

export const apiPortEnv = 'KUBECTL_DASK_TESTBED_API_PORT';
export const nodesEnv = 'KUBECTL_DASK_TESTBED_NODES';
const defaultApiPort = 26443;

/** A failure whose message is one line telling the user what to do. */
export class TestbedError extends Error {
  /** true when the line was already printed (by build.sh). */
  reported: boolean;
  constructor(message: string, reported = false) {
    super(message);
    this.name = 'TestbedError';
    this.reported = reported;
  }
}

/** Repo-relative path for messages. */
export function rel(p: string): string {
  return path.relative(repoRoot, p) || '.';
}

export function say(line: string): void {
  process.stderr.write(`cluster: ${line}\n`);
}

/**
 * process.env plus loopback in NO_PROXY (so nothing sends 127.0.0.1 traffic to a proxy) and
 * kubectl's discovery cache under .cluster instead of ~/.kube/cache.
 */
export function testbedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const loopback = ['127.0.0.1', 'localhost', '::1'];
  const merge = (v: string | undefined) =>
    [...new Set([...(v ?? '').split(',').map((s) => s.trim()).filter(Boolean), ...loopback])].join(',');
  return {
    ...process.env,
    NO_PROXY: merge(process.env.NO_PROXY),
    no_proxy: merge(process.env.no_proxy),
    KUBECACHEDIR: process.env.KUBECACHEDIR ?? path.join(clusterDir, 'kube-cache'),
    ...extra,
  };
}

function versions(): Record<string, string> {
  const text = fs.readFileSync(path.join(here, 'versions.env'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z0-9_]+)=(\S+)/gm)) out[m[1]!] = m[2]!;
  return out;
}

function apiPort(): number {
  const raw = process.env[apiPortEnv];
  if (raw === undefined || raw === '') return defaultApiPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new TestbedError(`${apiPortEnv}=${raw} is not a port number in 1024-65535: unset it or pick another`);
  }
  return port;
}

function nodeCount(): number {
  const raw = process.env[nodesEnv];
  const n = raw ? Number(raw) : 1;
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new TestbedError(`${nodesEnv}=${raw} must be a whole number from 1 to 100`);
  }
  return n;
}

/** Runs build.sh (instant when the cache is warm) and returns its bin directory. */
export function buildBinaries(): string {
  const r = spawnSync('bash', [path.join(here, 'build.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.error) throw new TestbedError(`cannot run test/cluster/build.sh: ${r.error.message}`);
  // build.sh prints its own one-line reason on failure.
  if (r.status !== 0) throw new TestbedError('build.sh failed', true);
  const bin = r.stdout.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(path.join(bin, 'kwokctl'))) {
    throw new TestbedError(`build.sh printed no usable bin directory (${JSON.stringify(bin)})`);
  }
  return bin;
}

// ---- processes -------------------------------------------------------------------------

interface ProcInfo {
  argv0: string;
  zombie: boolean;
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return { argv0: cmdline.split('\0')[0] ?? '', zombie: state === 'Z' || state === 'X' };
  } catch {
    return undefined;
  }
}

/** Live processes that kwokctl started from this checkout's .cluster (argv[0] in its bin/). */
function ourProcesses(): Map<number, string> {
  const found = new Map<number, string>();
  const prefix = componentBinDir + path.sep;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const info = procInfo(pid);
    if (info && !info.zombie && info.argv0.startsWith(prefix)) {
      found.set(pid, path.basename(info.argv0));
    }
  }
  return found;
}

function alive(pid: number): boolean {
  const info = procInfo(pid);
  return info !== undefined && !info.zombie;
}

function pidFiles(): { file: string; name: string; pid: number }[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(pidsDir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.endsWith('.pid'))
    .map((e) => {
      const file = path.join(pidsDir, e);
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      return { file, name: e.slice(0, -'.pid'.length), pid: Number.isInteger(pid) ? pid : -1 };
    });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after a grace period; resolves with the pids that still survive. */
export async function terminate(pids: number[], graceMs = 15_000): Promise<number[]> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        if (alive(pid)) process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  if (pids.some(alive)) {
    signal('SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (pids.some(alive) && Date.now() < killDeadline) await sleep(100);
  }
  return pids.filter(alive);
}

/** terminate(), and a clear error when something survived SIGKILL. */
async function stopProcesses(pids: number[], graceMs = 15_000): Promise<void> {
  const left = await terminate(pids, graceMs);
  if (left.length) throw new TestbedError(`processes ${left.join(', ')} survived SIGKILL: check them with ps -fp ${left.join(',')}`);
}

/**
 * Clients first, then kube-apiserver, then etcd: stopped all at once, kube-apiserver's graceful
 * shutdown stalls on the vanished etcd until SIGKILL.
 */
async function stopInOrder(running: Map<number, string>): Promise<void> {
  const rank = (name: string) => (name === 'etcd' ? 2 : name === 'kube-apiserver' ? 1 : 0);
  for (const r of [0, 1, 2]) {
    const pids = [...running].filter(([, name]) => rank(name) === r).map(([pid]) => pid);
    if (pids.length) await stopProcesses(pids);
  }
}

// ---- ports -----------------------------------------------------------------------------

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function assertApiPortFree(port: number): Promise<void> {
  if (await portFree(port)) return;
  throw new TestbedError(
    `port 127.0.0.1:${port} (kube-apiserver) is already in use: stop the process listening there ` +
      `(ss -ltnp 'sport = :${port}') or choose a free port, e.g. ${apiPortEnv}=${port + 1} npm run cluster:up`,
  );
}

/** Ports recorded in kwokctl's saved config of the current cluster. */
function recordedPorts(): number[] {
  try {
    const docs = parseAllDocuments(fs.readFileSync(path.join(componentDir, 'kwok.yaml'), 'utf8'));
    const conf = docs.map((d) => d.toJS()).find((d) => d?.kind === 'KwokctlConfiguration');
    const opts = conf?.options ?? {};
    return Object.entries(opts)
      .filter(([k, v]) => /Port$/.test(k) && typeof v === 'number' && v > 0)
      .map(([, v]) => v as number);
  } catch {
    return [];
  }
}

// ---- kubectl ---------------------------------------------------------------------------

function kubectlSync(bin: string, args: string[], input?: string, timeoutMs = 15_000) {
  return spawnSync(path.join(bin, 'kubectl'), ['--kubeconfig', kubeconfigPath, '--context', contextName, ...args], {
    env: testbedEnv(),
    input,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

function kubectlOk(bin: string, args: string[], what: string, input?: string, timeoutMs?: number): string {
  const r = kubectlSync(bin, args, input, timeoutMs);
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    throw new TestbedError(`${what} failed: ${why} (component logs: ${rel(logsLink)}/)`);
  }
  return r.stdout;
}

// ---- status ----------------------------------------------------------------------------

export interface TestbedStatus {
  /** All five components run from the current build and the API server is ready. */
  healthy: boolean;
  /** Why not healthy. */
  why?: string;
  running: Map<number, string>;
  stalePidFiles: string[];
}

export function status(bin?: string): TestbedStatus {
  const running = ourProcesses();
  const stalePidFiles = pidFiles()
    .filter((p) => !running.has(p.pid))
    .map((p) => p.file);
  const result = (why?: string): TestbedStatus => ({ healthy: why === undefined, why, running, stalePidFiles });
  const names = new Set(running.values());
  const missing = components.filter((c) => !names.has(c));
  if (missing.length) return result(`not running: ${missing.join(', ')}`);
  if (!fs.existsSync(kubeconfigPath)) return result(`${rel(kubeconfigPath)} is missing`);
  let kubectlBin = bin;
  try {
    kubectlBin ??= path.dirname(fs.realpathSync(kubectlPath));
    if (bin) {
      // The running binaries must be the ones the current versions build.
      const want = fs.realpathSync(bin);
      for (const pid of running.keys()) {
        if (path.dirname(fs.realpathSync(`/proc/${pid}/exe`)) !== want) return result('the binaries were rebuilt');
      }
    }
  } catch (err) {
    return result((err as Error).message);
  }
  const r = kubectlSync(kubectlBin, ['get', '--raw', '/readyz'], undefined, 5_000);
  if (r.status !== 0 || r.stdout.trim() !== 'ok') return result('kube-apiserver is not ready');
  return result();
}

// ---- up --------------------------------------------------------------------------------

export interface UpResult {
  /** false when a healthy cluster was already running and was reused. */
  started: boolean;
  seconds: number;
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { force: true, recursive: false });
  fs.symlinkSync(target, at);
}

function writeKubeconfig(port: number): void {
  const pki = path.join(componentDir, 'pki');
  const b64 = (f: string) => fs.readFileSync(path.join(pki, f)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: contextName, cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64('ca.crt') } },
    ],
    users: [{ name: contextName, user: { 'client-certificate-data': b64('admin.crt'), 'client-key-data': b64('admin.key') } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, namespace: 'default' } }],
    'current-context': contextName,
  };
  fs.writeFileSync(kubeconfigPath, stringify(config), { mode: 0o600 });
}

function kwokctlConfig(bin: string, port: number): string {
  const v = versions();
  const config = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      kubeVersion: v.K8S_VERSION,
      etcdVersion: v.ETCD_VERSION?.replace(/^v/, ''),
      bindAddress: '127.0.0.1',
      kubeApiserverPort: port,
      quietPull: true,
      cacheDir: path.join(kwokWorkdir, 'cache'),
      etcdBinary: path.join(bin, 'etcd'),
      kubeApiserverBinary: path.join(bin, 'kube-apiserver'),
      kubeControllerManagerBinary: path.join(bin, 'kube-controller-manager'),
      kubeSchedulerBinary: path.join(bin, 'kube-scheduler'),
      kwokControllerBinary: path.join(bin, 'kwok'),
      kubectlBinary: path.join(bin, 'kubectl'),
      enableCRDs: ['Logs', 'ClusterLogs', 'PortForward', 'ClusterPortForward'],
    },
    // For the real node (test/cluster/real-node.ts): kwok manages only nodes annotated
    // kwok.x-k8s.io/node=fake (addNodes' nodes), never the real kubelet's node; the admission
    // plugins let a namespace send its pods to the real node (default node selector and
    // toleration from namespace annotations). Without such annotations nothing changes.
    componentsPatches: [
      {
        name: 'kwok-controller',
        extraArgs: [
          { key: 'manage-all-nodes', value: 'false', override: true },
          { key: 'manage-nodes-with-annotation-selector', value: 'kwok.x-k8s.io/node=fake' },
        ],
      },
      { name: 'kube-apiserver', extraArgs: [{ key: 'enable-admission-plugins', value: 'PodNodeSelector,PodTolerationRestriction' }] },
    ],
  };
  return stringify(config);
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function lastLogLine(component: string): string {
  try {
    const lines = fs.readFileSync(path.join(componentLogsDir, `${component}.log`), 'utf8').trim().split('\n');
    // Prefer the last line that looks like an error.
    const err = [...lines].reverse().find((l) => /error|fatal|failed|panic/i.test(l));
    return (err ?? lines.at(-1) ?? '').slice(0, 400);
  } catch {
    return '(no log)';
  }
}

/** Stops leftovers of an earlier run (live ones are ours by argv[0]) and clears stale pid files. */
async function clearLeftovers(): Promise<void> {
  const { running, stalePidFiles } = status();
  if (running.size) {
    say(`stopping ${running.size} running component(s): ${[...running.values()].join(', ')}`);
    await stopInOrder(running);
  }
  if (stalePidFiles.length) {
    say(`removing stale pid files of a run that did not stop cleanly: ${stalePidFiles.map((f) => path.basename(f)).join(', ')}`);
    for (const f of stalePidFiles) fs.rmSync(f, { force: true });
  }
}

async function runKwokctl(bin: string): Promise<void> {
  const log = fs.openSync(kwokctlLogPath, 'w');
  const child = spawn(
    path.join(bin, 'kwokctl'),
    ['--config', kwokctlConfigPath, '--name', clusterName, 'create', 'cluster', '--runtime', 'binary', '--kubeconfig='],
    {
      cwd: clusterDir,
      stdio: ['ignore', log, log],
      // Our bin first on PATH: kwokctl looks up kubectl there and would otherwise download one.
      env: testbedEnv({ KWOK_WORKDIR: kwokWorkdir, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` }),
    },
  );
  fs.closeSync(log);
  const done: { code?: number | null; error?: Error } = {};
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      done.error = error;
      done.code = null;
      resolve();
    });
    child.once('exit', (code) => {
      done.code = code;
      resolve();
    });
  });
  const deadline = Date.now() + 180_000;
  const abort = async (message: string): Promise<never> => {
    child.kill('SIGTERM');
    await exited;
    throw new TestbedError(message);
  };
  while (done.code === undefined) {
    // A component that dies while kwokctl waits would otherwise cost minutes of retries.
    for (const p of pidFiles()) {
      if (p.pid > 0 && !alive(p.pid)) {
        await abort(`${p.name} exited during startup: ${lastLogLine(p.name)} (log: ${rel(componentLogsDir)}/${p.name}.log)`);
      }
    }
    if (Date.now() > deadline) {
      await abort(`kwokctl create cluster took over 180 s: see ${rel(kwokctlLogPath)} and ${rel(logsLink)}/`);
    }
    await sleep(200);
  }
  if (done.error) throw new TestbedError(`cannot run kwokctl: ${done.error.message}`);
  if (done.code !== 0) {
    const tail = fs.readFileSync(kwokctlLogPath, 'utf8').trim().split('\n').filter(Boolean).pop() ?? '';
    throw new TestbedError(`kwokctl create cluster failed: ${tail.slice(0, 400)} (full log: ${rel(kwokctlLogPath)})`);
  }
}

function addNodes(bin: string, count: number): void {
  const items = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `kwok-node-${i}`,
      // kwok-controller simulates only nodes with this annotation (see componentsPatches);
      // the labels follow kwok's convention so tests can select simulated nodes.
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        type: 'kwok',
        'kubernetes.io/hostname': `kwok-node-${i}`,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
      },
    },
  }));
  kubectlOk(bin, ['apply', '-f', '-'], 'creating the kwok nodes', JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  kubectlOk(bin, ['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s'], 'waiting for the nodes to become Ready', undefined, 70_000);
}

async function waitDefaultServiceAccount(bin: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (kubectlSync(bin, ['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'name']).status !== 0) {
    if (Date.now() > deadline) {
      throw new TestbedError(`kube-controller-manager created no default ServiceAccount within 60 s: see ${rel(logsLink)}/kube-controller-manager.log`);
    }
    await sleep(250);
  }
}

/**
 * Runs fn while holding .cluster/<name>.lock, so that concurrent starts and stops on one checkout
 * (an e2e run next to a manual cluster:up, two test runs) take turns instead of wiping each
 * other's cluster. The lock is a kernel flock held by a child that exits with us, so it cannot go
 * stale.
 */
export async function withClusterLock<T>(name: string, waitingFor: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(clusterDir, { recursive: true });
  const lockFile = path.join(clusterDir, `${name}.lock`);
  const holder = spawn('flock', [lockFile, 'sh', '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const notice = setTimeout(() => say(`waiting for ${waitingFor} on this checkout`), 1_000);
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', (err) => reject(new TestbedError(`cannot run flock (util-linux) to lock ${rel(lockFile)}: ${err.message}`)));
      holder.once('exit', (code) => reject(new TestbedError(`flock on ${rel(lockFile)} exited (${code})`)));
      holder.stdout!.once('data', () => resolve());
    });
  } finally {
    clearTimeout(notice);
  }
  try {
    return await fn();
  } finally {
    holder.stdin!.end();
  }
}

/** Starts the testbed, or reuses a healthy running one. */
export async function up(): Promise<UpResult> {
  const t0 = performance.now();
  const port = apiPort();
  const nodes = nodeCount();
  const bin = buildBinaries();
  return withClusterLock('testbed', 'another cluster:up/down to finish', () => upLocked(t0, bin, port, nodes));
}

async function upLocked(t0: number, bin: string, port: number, nodes: number): Promise<UpResult> {
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;

  const config = kwokctlConfig(bin, port);
  const st = status(bin);
  if (st.healthy) {
    if (readOr(kwokctlConfigPath, '') === config) {
      link(path.join(bin, 'kubectl'), kubectlPath);
      say(`already up (${st.running.size} processes); KUBECONFIG=${rel(kubeconfigPath)}`);
      return { started: false, seconds: seconds() };
    }
    say(`restarting: the running cluster was started with another configuration (${rel(kwokctlConfigPath)})`);
  } else if (st.running.size) {
    say(`restarting: ${st.why}`);
  }
  await clearLeftovers();
  await assertApiPortFree(port);

  // Fresh cluster every time; keep the previous run's component logs for a post-mortem.
  if (fs.existsSync(componentLogsDir)) {
    const previous = path.join(clusterDir, 'logs.previous');
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(componentLogsDir, previous);
  }
  fs.rmSync(componentDir, { recursive: true, force: true });
  fs.rmSync(kubeconfigPath, { force: true });
  fs.writeFileSync(kwokctlConfigPath, config);
  link(path.relative(clusterDir, componentLogsDir), logsLink);
  link(path.join(bin, 'kubectl'), kubectlPath);

  say(`starting etcd, kube-apiserver (127.0.0.1:${port}), kube-controller-manager, kube-scheduler, kwok-controller`);
  try {
    await runKwokctl(bin);
    writeKubeconfig(port);
    addNodes(bin, nodes);
    await waitDefaultServiceAccount(bin);
  } catch (err) {
    // Leave nothing running behind a failed start; logs stay in .cluster/logs.
    await stop({ quiet: true }).catch(() => undefined);
    throw err;
  }
  say(`up in ${seconds()} s with ${nodes} kwok node(s); KUBECONFIG=${rel(kubeconfigPath)}, component logs: ${rel(logsLink)}/`);
  return { started: true, seconds: seconds() };
}

// ---- down ------------------------------------------------------------------------------

/** Stops every component process of this checkout's cluster; keeps logs for inspection. */
export async function down(opts: { quiet?: boolean } = {}): Promise<void> {
  await withClusterLock('testbed', 'another cluster:up/down to finish', () => stop(opts));
}

async function stop(opts: { quiet?: boolean }): Promise<void> {
  fs.rmSync(startedByTestsMarker, { force: true });
  const { running, stalePidFiles } = status();
  if (stalePidFiles.length && !opts.quiet) {
    say(`removing stale pid files (their processes are gone): ${stalePidFiles.map((f) => path.basename(f)).join(', ')}`);
  }
  if (running.size) await stopInOrder(running);
  for (const p of pidFiles()) fs.rmSync(p.file, { force: true });

  const busy: number[] = [];
  for (const port of recordedPorts()) if (!(await portFree(port))) busy.push(port);
  if (busy.length) {
    throw new TestbedError(
      `ports ${busy.join(', ')} still have listeners after stopping the cluster: find them with ss -ltnp and stop them`,
    );
  }
  if (!opts.quiet) {
    say(running.size ? `down (stopped ${[...running.values()].join(', ')}); logs kept in ${rel(logsLink)}/` : 'not running');
  }
}

// ---- users ----------------------------------------------------------------------------

const usersDir = path.join(clusterDir, 'users');
/**
 * Present while the running cluster was started by a test run (not by cluster:up): the last
 * test run to finish then stops it, even when the run that started it finished first.
 */
export const startedByTestsMarker = path.join(clusterDir, 'started-by-tests');

/**
 * Registers this process as a user of whatever dir's users share (the e2e global setup does,
 * before up()). The returned release() unregisters it and returns how many other live processes
 * still use it, so a test run that started the cluster does not stop it under another run's feet.
 */
export function registerUser(dir: string): () => number {
  fs.mkdirSync(dir, { recursive: true });
  const mine = path.join(dir, String(process.pid));
  fs.writeFileSync(mine, `${process.argv.join(' ')}\n`);
  return () => {
    fs.rmSync(mine, { force: true });
    let others = 0;
    for (const entry of fs.readdirSync(dir)) {
      if (/^\d+$/.test(entry) && alive(Number(entry))) others++;
      else fs.rmSync(path.join(dir, entry), { force: true });
    }
    return others;
  };
}

/** Registers this process as a user of the control plane; see registerUser. */
export function addUser(): () => number {
  return registerUser(usersDir);
}

/** Entry point helper for the npm scripts: one line on failure, no stack trace. */
export async function runCli(main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof TestbedError) {
      if (!err.reported) say(err.message);
    } else {
      say(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.DEBUG) console.error(err);
    }
    process.exitCode = 1;
  }
}
