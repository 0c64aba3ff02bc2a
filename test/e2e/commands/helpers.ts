// Helpers for the command e2e tests: the built dist/kubectl-dask run the way users run it,
// as `kubectl dask ...` found through kubectl's plugin discovery on PATH, against the testbed.
// Plain runs get pipes (no terminal, so plain progress lines on stderr and results on stdout);
// pty runs go through util-linux `script`, so the plugin sees a terminal and draws its live UI.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { kubeconfigPath, kubectlPath, repoRoot, testbedEnv } from '../../cluster/testbed.ts';
import { kubectl, kubectlJson, waitFor } from '../testbed/helpers.ts';

export const distDir = path.join(repoRoot, 'dist');
const plugin = path.join(distDir, 'kubectl-dask');

export interface Result {
  code: number | null;
  /** Set when the process died of a signal instead of exiting. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables to set (a value of undefined removes the variable). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; stdin is always a pipe, never a terminal. */
  input?: string;
  /** Killed (and the test fails on its exit code) after this long; a safety net, not an assertion. */
  timeoutMs?: number;
}

/**
 * The environment of a user's shell pointed at the testbed: dist/ and the testbed's kubectl
 * first on PATH, KUBECONFIG = the testbed kubeconfig (its current context is the testbed), and
 * nothing that changes how output looks (CI, FORCE_COLOR, NO_COLOR) unless a test sets it.
 */
export function pluginEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = testbedEnv({
    PATH: [distDir, path.dirname(kubectlPath), process.env.PATH ?? ''].join(path.delimiter),
    KUBECONFIG: kubeconfigPath,
  });
  for (const key of ['CI', 'FORCE_COLOR', 'NO_COLOR', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function assertBuilt(): void {
  if (!fs.existsSync(plugin)) throw new Error('dist/kubectl-dask is missing: run npm run build');
  if (!fs.existsSync(kubectlPath)) throw new Error('the local test cluster is not up: run npm run cluster:up');
}

/** A running `kubectl dask ...` whose output is collected as it arrives. */
export class Plugin {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly result: Promise<Result>;
  private readonly waiters = new Set<() => void>();

  constructor(args: string[], opts: RunOptions = {}) {
    assertBuilt();
    this.child = spawn(kubectlPath, ['dask', ...args], { env: pluginEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.end(opts.input ?? '');
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.wake();
    });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    this.result = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      // 'close', not 'exit': all output has been read by then.
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.wake();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves once stderr matches re; rejects if the process ends first. */
  waitForStderr(re: RegExp, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`timed out waiting for ${re} on stderr:\n${this.stderr}`)), timeoutMs);
      const check = () => {
        if (re.test(this.stderr)) done();
        else if (this.child.exitCode !== null || this.child.signalCode !== null) done(new Error(`exited before printing ${re} on stderr:\n${this.stderr}`));
      };
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** `kubectl dask <args>` run to completion with pipes for stdin, stdout and stderr. */
export function dask(args: string[], opts: RunOptions = {}): Promise<Result> {
  return new Plugin(args, opts).result;
}

/** dask() that fails the test with the plugin's output unless it exits 0. */
export async function daskOk(args: string[], opts: RunOptions = {}): Promise<Result> {
  const r = await dask(args, opts);
  if (r.code !== 0) throw new Error(`kubectl dask ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

export interface PtyResult {
  code: number | null;
  /** Everything the terminal received (stdout and stderr interleaved, with escape codes). */
  output: string;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, command)));
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `kubectl dask <args>` in a pseudo-terminal of cols × rows (util-linux script). answer, when
 * given, is typed once output matches its prompt. Resolves with the terminal's output.
 */
export function daskInPty(
  args: string[],
  opts: { cols?: number; rows?: number; env?: Record<string, string | undefined>; answer?: { prompt: RegExp; text: string }; timeoutMs?: number } = {},
): Promise<PtyResult> {
  assertBuilt();
  if (!onPath('script')) throw new Error("the terminal tests need util-linux's script (Debian: apt-get install bsdutils)");
  const command = `stty cols ${opts.cols ?? 100} rows ${opts.rows ?? 40} && exec ${[kubectlPath, 'dask', ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: pluginEnv({ TERM: 'xterm-256color', ...opts.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let answered = false;
  const onData = (chunk: string) => {
    output += chunk;
    if (opts.answer && !answered && opts.answer.prompt.test(stripAnsi(output))) {
      answered = true;
      child.stdin!.write(opts.answer.text);
    }
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  child.stdin!.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      // stdin stays open while it runs: script ends the session when its input ends.
      child.stdin!.destroy();
      resolve({ code, output });
    });
  });
}

// CSI sequences (colours, cursor movement, erase), OSC sequences and lone ESC-x codes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function hasAnsi(text: string): boolean {
  return /\x1b/.test(text);
}

/** Non-empty lines. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The first line of stderr, the one every error must make actionable. */
export function firstLine(text: string): string {
  return lines(text)[0] ?? '';
}

// ---- objects in the API -----------------------------------------------------------------

export interface Pod {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string }[]; nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** Every Deployment, Service and pod of the namespace, by kind/name. */
export async function objectNames(namespace: string): Promise<string[]> {
  const out = await kubectl(['get', 'deployments,services,pods', '-n', namespace, '-o', 'name']);
  return lines(out).sort();
}

export async function getJson<T = any>(namespace: string, kindName: string, opts: { managedFields?: boolean } = {}): Promise<T | undefined> {
  const extra = opts.managedFields ? ['--show-managed-fields'] : [];
  const out = await kubectl(['get', kindName, '-n', namespace, '-o', 'json', '--ignore-not-found', ...extra]);
  return out.trim() ? (JSON.parse(out) as T) : undefined;
}

/** Pods of one component of a cluster, as kubectl sees them now. */
export async function pods(namespace: string, cluster: string, component?: 'scheduler' | 'worker'): Promise<Pod[]> {
  const selector = [`app.kubernetes.io/name=dask`, `app.kubernetes.io/instance=${cluster}`, ...(component ? [`app.kubernetes.io/component=${component}`] : [])];
  const list = await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', namespace, '-l', selector.join(',')]);
  return list.items;
}

export function isReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Worker pods right now: how many exist (terminating or not) and how many are Ready. */
export async function workerCounts(namespace: string, cluster = 'dask'): Promise<{ total: number; ready: number; terminating: number }> {
  const items = await pods(namespace, cluster, 'worker');
  return {
    total: items.length,
    ready: items.filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length,
    terminating: items.filter((p) => p.metadata.deletionTimestamp).length,
  };
}

/** YAML documents (as `kubectl apply -f -` reads them). */
export function yamlDocuments(text: string): any[] {
  return text
    .split(/^---\s*$/m)
    .map((doc) => parse(doc))
    .filter((doc) => doc !== null && doc !== undefined);
}

// ---- cluster facts ----------------------------------------------------------------------

function cpuCores(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`cannot read cpu quantity ${quantity}`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 1000 : m[2] === 'k' ? n * 1e3 : m[2] === 'M' ? n * 1e6 : m[2] === 'G' ? n * 1e9 : n;
}

/** A --cpu value no node can fit (kwok nodes advertise a lot), so worker pods stay Pending. */
export async function unschedulableCpu(): Promise<string> {
  const nodes = await kubectlJson<{ items: { status?: { allocatable?: Record<string, string> } }[] }>(['get', 'nodes']);
  const most = Math.max(1, ...nodes.items.map((n) => cpuCores(n.status?.allocatable?.cpu ?? '0')));
  return String(Math.ceil(most) * 10);
}

export { freePort } from '../testbed/helpers.ts';

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kubectl-dask-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The testbed's cluster entry (server and CA), for kubeconfigs made by tests. */
export async function testbedCluster(): Promise<{ server: string; caData: string }> {
  const config = await kubectlJson<any>(['config', 'view', '--raw', '--minify']);
  const cluster = config.clusters[0].cluster;
  return { server: cluster.server, caData: cluster['certificate-authority-data'] };
}

/** Writes a one-context kubeconfig and returns its path. */
export function writeKubeconfig(
  file: string,
  cluster: { server: string; caData?: string; insecureSkipTlsVerify?: boolean },
  user: Record<string, unknown>,
  namespace?: string,
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'ctx',
  };
  fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

export { kubectl, kubectlJson, waitFor };
