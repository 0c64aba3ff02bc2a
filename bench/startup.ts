// `npm run bench:startup [-- RUNS]`: whole-process start-up of the built executable, with kubectl
// and bare Node 24 measured in the same run as yardsticks. Prints numbers only; it asserts
// nothing, because timings on shared machines are too noisy to gate on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exe = join(root, 'dist', 'kubectl-dask');
const node = join(root, 'node_modules', 'node', 'bin', 'node');
const runs = Number(process.argv[2] ?? 21);
if (!existsSync(exe)) {
  console.error('dist/kubectl-dask is missing: run `npm run build` first');
  process.exit(1);
}

// kubectl finds the plugin on PATH, as it would once installed.
const env = { ...process.env, PATH: `${dirname(exe)}${delimiter}${process.env.PATH ?? ''}` };
const cases: { label: string; argv: string[] }[] = [
  { label: 'kubectl version --client', argv: ['kubectl', 'version', '--client'] },
  { label: 'kubectl-dask version', argv: [exe, 'version'] },
  { label: 'kubectl-dask --help', argv: [exe, '--help'] },
  { label: 'kubectl dask version', argv: ['kubectl', 'dask', 'version'] },
  { label: 'node -e 0 (Node 24)', argv: [node, '-e', '0'] },
];

function once(argv: string[]): number {
  const [file = '', ...args] = argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status ?? result.error}): ${result.stderr}`);
  return ms;
}

// Warm-up fills the OS page cache and the executable's bundle cache, so the table shows the
// steady state a user sees from the second run on.
for (const c of cases) for (let i = 0; i < 3; i++) once(c.argv);
// Rounds interleave the commands so a slow spell of the machine hits all of them alike.
const samples = cases.map(() => [] as number[]);
for (let round = 0; round < runs; round++) cases.forEach((c, i) => samples[i]!.push(once(c.argv)));

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const kubectl = quantile(samples[0]!, 0.5);
console.log(`start-up, whole process, ${runs} runs each (median, p90)`);
console.log(`${'command'.padEnd(28)}${'median ms'.padStart(10)}${'p90 ms'.padStart(9)}${'vs kubectl'.padStart(12)}`);
cases.forEach((c, i) => {
  const median = quantile(samples[i]!, 0.5);
  const p90 = quantile(samples[i]!, 0.9);
  console.log(
    `${c.label.padEnd(28)}${median.toFixed(1).padStart(10)}${p90.toFixed(1).padStart(9)}${`${(median / kubectl).toFixed(2)}x`.padStart(12)}`,
  );
});
