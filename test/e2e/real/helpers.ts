// Helpers for the e2e tests on the real node (test/cluster/real-node.ts): run the built plugin
// (dist/kubectl-dask) against the testbed, in namespaces whose pods go to the real node, and
// run Python from the client virtualenv (.cluster/venv, same packages as the pods' image).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { kubeconfigPath, kubectlPath, repoRoot, testbedEnv } from '../../cluster/testbed.ts';
import { hostAddressForPods, realNodeNamespaceAnnotations, venvPath } from '../../cluster/real-node.ts';
import { apply, freePort, kubectl, waitFor } from '../testbed/helpers.ts';

export const pluginPath = path.join(repoRoot, 'dist', 'kubectl-dask');
export const pythonPath = path.join(venvPath, 'bin', 'python');
const here = path.dirname(new URL(import.meta.url).pathname);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return testbedEnv({
    ...extra,
    KUBECONFIG: kubeconfigPath,
    PATH: `${path.dirname(kubectlPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    // Prefect: a private home per run, and no telemetry attempts (nothing leaves this machine).
    PREFECT_HOME: path.join(repoRoot, '.cluster', 'prefect-home'),
    PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
    CI: '1',
  });
}

function runFile(file: string, args: string[], timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env(extraEnv), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? ((err as any).code as number) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `kubectl dask <args>` with the built plugin; never throws, check .code. */
export function dask(args: string[], timeoutMs = 180_000): Promise<RunResult> {
  if (!fs.existsSync(pluginPath)) throw new Error(`${pluginPath} is missing: run npm run build`);
  return runFile(pluginPath, ['--kubeconfig', kubeconfigPath, '--no-interactive', ...args], timeoutMs);
}

/** Like dask() but fails with both output streams unless the command exits 0. */
export async function daskOk(args: string[], timeoutMs?: number): Promise<RunResult> {
  const r = await dask(args, timeoutMs);
  if (r.code !== 0) throw new Error(`kubectl dask ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** Python from the client venv running one of this directory's scripts. */
export function python(script: string, args: string[], timeoutMs = 300_000, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return runFile(pythonPath, [path.join(here, script), ...args], timeoutMs, extraEnv);
}

/**
 * A Prefect API server (from the client venv) on the address pods reach this machine at, so the
 * flow on this machine and its tasks on the workers report to the same API, as a deployment
 * with a Prefect server would. Without one, every worker would start its own temporary server.
 */
export async function startPrefectServer(): Promise<{ apiUrl: string; stop: () => void; log: () => string }> {
  const port = await freePort(hostAddressForPods);
  const apiUrl = `http://${hostAddressForPods}:${port}/api`;
  const child = spawn(
    path.join(venvPath, 'bin', 'prefect'),
    ['server', 'start', '--host', hostAddressForPods, '--port', String(port), '--no-ui'],
    { env: env({ PREFECT_UI_ENABLED: 'false' }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => void child.kill('SIGINT');
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prefect server exited (${child.exitCode}): ${output.trim().slice(-500)}`);
        const res = await fetch(`${apiUrl}/health`).catch(() => undefined);
        return res?.ok === true;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: `the Prefect server at ${apiUrl}` },
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { apiUrl, stop, log: () => output };
}

/** A fresh namespace whose pods are scheduled onto the real node only. */
export async function realNamespace(prefix: string): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  await apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubectl-dask.test/e2e': 'true' }, annotations: realNodeNamespaceAnnotations },
  });
  await waitFor(() => kubectl(['get', 'serviceaccount', 'default', '-n', name, '-o', 'name']), {
    what: `the default ServiceAccount in ${name}`,
  });
  return {
    name,
    cleanup: async () => {
      await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
    },
  };
}

export interface Forward {
  /** tcp://127.0.0.1:<port> */
  address: string;
  /** http://127.0.0.1:<port>/ */
  dashboard: string;
  stop: () => void;
}

/** `kubectl dask port-forward --port 0`: the scheduler of cluster "dask" on a free local port. */
export async function forwardScheduler(namespace: string): Promise<Forward> {
  const child: ChildProcess = spawn(
    pluginPath,
    ['--kubeconfig', kubeconfigPath, '--no-interactive', '-n', namespace, 'port-forward', '--port', '0', '--dashboard-port', '0'],
    { env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const [address, dashboard] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl dask port-forward printed no scheduler and dashboard address within 30 s: ${output.trim()}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const scheduler = /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      const board = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (scheduler && board) {
        clearTimeout(timer);
        resolve([`tcp://127.0.0.1:${scheduler[1]}`, `http://127.0.0.1:${board[1]}/`]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl dask port-forward exited (${code}): ${output.trim()}`));
    });
  });
  return { address, dashboard, stop: () => void child.kill('SIGINT') };
}

/** `kubectl dask logs`: every worker's log, each line prefixed with its pod. */
export async function workerLogs(namespace: string): Promise<string> {
  return (await daskOk(['-n', namespace, 'logs'], 60_000)).stdout;
}
