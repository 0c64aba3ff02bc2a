// `npm run bench:status [-- RUNS]`: `kubectl dask status` of the built executable against what a
// user would type without the plugin, `kubectl get deploy,svc,pods -l ...`, on the local testbed
// (started here when it is not up, and stopped again afterwards), measured in the same run. Whole
// process, median and p90 of interleaved rounds; prints numbers only, asserts nothing. A last row
// runs bench/status-floor.cjs, the same two requests in Node with nothing else, the least a Node
// plugin can take.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextName, down, kubeconfigPath, kubectlPath, testbedEnv, up } from '../test/cluster/testbed.ts';
import { testbedTlsArgs } from './testbed-tls.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exe = join(root, 'dist', 'kubectl-dask');
const runs = Number(process.argv[2] ?? 31);
if (!existsSync(exe)) {
  console.error('dist/kubectl-dask is missing: run `npm run build` first');
  process.exit(1);
}

const { started } = await up();
// The plugin's bundle cache in a fresh dir: the first (warm-up) run unpacks it, as after an install.
const cache = mkdtempSync(join(tmpdir(), 'kubectl-dask-bench-'));
const env = testbedEnv({ PATH: `${dirname(exe)}${delimiter}${process.env.PATH ?? ''}`, XDG_CACHE_HOME: cache });
const namespace = `bench-status-${Date.now().toString(36)}`;
const connection = ['--kubeconfig', kubeconfigPath, '--context', contextName, '-n', namespace];

function once(argv: string[], caseEnv: NodeJS.ProcessEnv = env): number {
  const [file = '', ...args] = argv;
  const begun = process.hrtime.bigint();
  const result = spawnSync(file, args, { env: caseEnv, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - begun) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status ?? result.error}): ${result.stderr}`);
  return ms;
}

try {
  once([kubectlPath, '--kubeconfig', kubeconfigPath, '--context', contextName, 'create', 'namespace', namespace]);
  once([exe, 'up', ...connection, '--workers', '3']);

  const cases: { label: string; argv: string[]; env?: NodeJS.ProcessEnv }[] = [
    { label: 'kubectl get deploy,svc,pods -l', argv: [kubectlPath, 'get', 'deploy,svc,pods', '-l', 'app.kubernetes.io/instance=dask', ...connection] },
    { label: 'kubectl dask status', argv: [kubectlPath, 'dask', 'status', ...connection] },
    { label: 'kubectl-dask status', argv: [exe, 'status', ...connection] },
    { label: 'kubectl-dask status -o json', argv: [exe, 'status', '-o', 'json', ...connection] },
    // Node 24, the executable's Node, doing only the two requests: the floor for a Node plugin.
    { label: 'node: the two lists, no more', argv: [process.execPath, join(root, 'bench', 'status-floor.cjs'), ...testbedTlsArgs(cache), namespace, 'app.kubernetes.io/instance=dask'] },
  ];
  // Node reads the extra roots a machine names there (this one: the system bundle) for the first TLS
  // connection even when the kubeconfig has its own CA; kubectl never reads them.
  if (env.NODE_EXTRA_CA_CERTS) {
    const { NODE_EXTRA_CA_CERTS: _, ...withoutExtraRoots } = env;
    cases.push({ label: 'kubectl-dask status, no NODE_EXTRA_CA_CERTS', argv: [exe, 'status', ...connection], env: withoutExtraRoots });
  }
  // Warm-up: OS page cache, kubectl's discovery cache, the plugin's unpacked bundle and code cache.
  for (const c of cases) for (let i = 0; i < 3; i++) once(c.argv, c.env);
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < runs; round++) cases.forEach((c, i) => samples[i]!.push(once(c.argv, c.env)));

  const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  const baseline = quantile(samples[0]!, 0.5);
  console.log(`status of a 3-worker cluster on the testbed, whole process, ${runs} runs each (median, p90)`);
  console.log(`${'command'.padEnd(46)}${'median ms'.padStart(10)}${'p90 ms'.padStart(9)}${'vs kubectl get'.padStart(16)}`);
  cases.forEach((c, i) => {
    const median = quantile(samples[i]!, 0.5);
    console.log(
      `${c.label.padEnd(46)}${median.toFixed(1).padStart(10)}${quantile(samples[i]!, 0.9).toFixed(1).padStart(9)}${`${(median / baseline).toFixed(2)}x`.padStart(16)}`,
    );
  });
} finally {
  spawnSync(kubectlPath, ['--kubeconfig', kubeconfigPath, '--context', contextName, 'delete', 'namespace', namespace, '--wait=false'], { env, stdio: 'ignore' });
  rmSync(cache, { recursive: true, force: true });
  if (started) await down();
}
