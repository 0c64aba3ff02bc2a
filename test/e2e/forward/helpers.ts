// Helpers for the port-forward and logs e2e tests: the built plugin run as `kubectl dask ...`
// (kubectl finds dist/kubectl-dask on PATH), long-running plugin processes whose output lines a
// test can wait for, and a real Dask scheduler and worker on loopback from the Dask venv, which
// kwok's PortForward objects put behind the scheduler pod's ports.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { componentDir, componentLogsDir, contextName, kubeconfigPath, kubectlPath, repoRoot, testbedEnv } from '../../cluster/testbed.ts';
import { freePort, kubectl, kubectlJson, waitFor } from '../testbed/helpers.ts';

export { freePort };
import { venvBin } from './dask-venv.ts';

const distDir = path.join(repoRoot, 'dist');
const here = path.dirname(new URL(import.meta.url).pathname);

function pluginEnv(): NodeJS.ProcessEnv {
  // No terminal, no colour: the tests read plain lines.
  return testbedEnv({ PATH: `${distDir}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CI: '1' });
}

/** A process whose stdout and stderr lines are kept, so tests can wait for one. */
export class Running {
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcess) {
    this.child = child;
    const collect = (stream: NodeJS.ReadableStream | null, into: string[]) => {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        into.push(...lines);
        for (const wake of this.waiters) wake();
      });
    };
    collect(child.stdout, this.stdout);
    collect(child.stderr, this.stderr);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    void this.exited.then(() => {
      for (const wake of this.waiters) wake();
    });
  }

  output(): string {
    return `stdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`;
  }

  /** Resolves with the first line of the stream matching re (already seen or still to come). */
  waitForLine(stream: 'stdout' | 'stderr', re: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (const line of this[stream].slice(from)) {
          const m = re.exec(line);
          if (m) return done(() => resolve(m));
        }
        if (this.child.exitCode !== null || this.child.signalCode !== null) done(() => reject(new Error(`process exited before printing ${re} on ${stream}\n${this.output()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re} on ${stream}\n${this.output()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Ctrl-C, then the exit code; kills it if it does not stop within timeoutMs. */
  async interrupt(timeoutMs = 5_000): Promise<{ code: number | null; ms: number }> {
    const t0 = Date.now();
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, ms: Date.now() - t0 };
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function pluginArgs(args: string[]): string[] {
  return ['dask', ...args, '--kubeconfig', kubeconfigPath, '--context', contextName];
}

function assertBuilt(): void {
  if (!fs.existsSync(path.join(distDir, 'kubectl-dask'))) throw new Error('dist/kubectl-dask is missing: run npm run build');
}

interface PodObject {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Resolves once count lines of stdout end with ` text` (a log line's message after its prefix). */
export async function waitForLines(logs: Running, text: string, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (logs.stdout.filter((l) => l.endsWith(` ${text}`)).length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} lines "${text}"\n${logs.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the names once exactly count pods match selector, all Ready and none terminating. */
export async function waitForReadyPods(namespace: string, selector: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  return waitFor(
    async () => {
      const pods = (await kubectlJson<{ items: PodObject[] }>(['get', 'pods', '-n', namespace, '-l', selector])).items.filter((p) => !p.metadata.deletionTimestamp);
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return pods.length === count && ready.length === count && ready.map((p) => p.metadata.name);
    },
    { what: `${count} Ready pod(s) ${selector} in ${namespace}`, timeoutMs },
  );
}

/** `kubectl dask <args>` run to completion. */
export async function dask(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startDask(args);
  const timer = setTimeout(() => run.kill(), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout.join('\n'), stderr: run.stderr.join('\n') };
}

/** `kubectl dask <args>` left running (port-forward, logs -f). */
export function startDask(args: string[]): Running {
  assertBuilt();
  return new Running(spawn(kubectlPath, pluginArgs(args), { env: pluginEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
}


export interface LocalDask {
  schedulerPort: number;
  dashboardPort: number;
  stop(): Promise<void>;
}

/** A real `dask scheduler` and one `dask worker` on loopback, as the scheduler pod's backend. */
export async function startLocalDask(): Promise<LocalDask> {
  const schedulerPort = await freePort();
  const dashboardPort = await freePort();
  const scheduler = new Running(
    spawn(venvBin('dask'), ['scheduler', '--host', '127.0.0.1', '--port', String(schedulerPort), '--dashboard-address', `127.0.0.1:${dashboardPort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const worker = new Running(
    // No nanny: one process, so stopping it leaves no worker subprocess behind.
    spawn(venvBin('dask'), ['worker', `tcp://127.0.0.1:${schedulerPort}`, '--nthreads', '2', '--no-dashboard', '--no-nanny', '--name', 'loopback-worker'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const stop = async () => {
    for (const p of [worker, scheduler]) {
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.kill(), 5_000);
      await p.exited;
      clearTimeout(timer);
    }
  };
  try {
    await scheduler.waitForLine('stderr', /Scheduler at:/, 60_000);
    await worker.waitForLine('stderr', /Registered to:/, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { schedulerPort, dashboardPort, stop };
}

/**
 * client.py: connects a dask.distributed.Client to address, computes once, then once more for
 * every line written to its stdin.
 */
export function startDaskClient(address: string): Running & { compute(n: number): void } {
  const running = new Running(spawn(venvBin('python'), [path.join(here, 'client.py'), address], { stdio: ['pipe', 'pipe', 'pipe'] }));
  return Object.assign(running, { compute: (n: number) => void running.child.stdin?.write(`${n}\n`) });
}

interface Component {
  pid: number;
  name: string;
  argv: string[];
}

/** The testbed's component processes, with their command lines. */
function components(): Component[] {
  const binDir = path.join(componentDir, 'bin') + path.sep;
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .flatMap((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
        return argv[0]?.startsWith(binDir) && alive(pid) ? [{ pid, name: path.basename(argv[0]), argv }] : [];
      } catch {
        return [];
      }
    });
}

/** Starts a component again with its old command line, as kwokctl did. */
function respawn(component: Component): void {
  const log = fs.openSync(path.join(componentLogsDir, `${component.name}.log`), 'a');
  const child = spawn(component.argv[0]!, component.argv.slice(1), { cwd: componentDir, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.unref();
  // Keep kwokctl's pid file current, so the testbed does not report it as stale.
  fs.writeFileSync(path.join(componentDir, 'pids', `${component.name}.pid`), String(child.pid));
}

/**
 * Stops the testbed's kube-apiserver and starts it again with the same command line, as a
 * crash or an upgrade would; resolves once it is ready again. Every watch, log stream and
 * port-forward session through it is cut. Controllers that give up during the outage (the
 * controller manager and the scheduler exit when they cannot renew their leases) are started
 * again too, so later tests find a whole cluster.
 */
export async function restartApiServer(): Promise<void> {
  const before = components();
  const apiserver = before.find((c) => c.name === 'kube-apiserver');
  if (!apiserver) throw new Error(`no running kube-apiserver under ${componentDir}`);
  // A graceful stop waits up to a minute for long-running requests (log follows, forwards):
  // give it a few seconds, then stop it as a crash would.
  process.kill(apiserver.pid, 'SIGTERM');
  await waitFor(() => !alive(apiserver.pid), { what: 'kube-apiserver to stop', timeoutMs: 5_000 }).catch(() => process.kill(apiserver.pid, 'SIGKILL'));
  await waitFor(() => !alive(apiserver.pid), { what: 'kube-apiserver to be killed', timeoutMs: 10_000 });
  respawn(apiserver);
  await waitFor(async () => (await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 5_000 })).trim() === 'ok', { what: 'kube-apiserver to be ready again', timeoutMs: 90_000 });
  // A controller either renews its lease within a retry period of the API server's return or exits.
  await new Promise((r) => setTimeout(r, 3_000));
  for (const c of before) if (c !== apiserver && !alive(c.pid)) respawn(c);
}

/** Running, not a zombie: nobody may reap the testbed's processes (they outlive kwokctl). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
