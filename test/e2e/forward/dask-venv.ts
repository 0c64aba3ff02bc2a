// A Python venv with the Dask release our manifests use, for e2e tests that run a real scheduler
// and client on loopback. Kept outside the repo, keyed by version, so it is built once per machine.
// Run directly (node test/e2e/forward/dask-venv.ts) to build it ahead of a test run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DASK_VERSION } from '../../../src/core/spec.ts';

const cacheRoot = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'kubectl-dask');
export const venvDir = path.join(cacheRoot, `venv-dask-${DASK_VERSION}`);
export const venvBin = (name: string): string => path.join(venvDir, 'bin', name);
// Written last: a venv without it is a half-finished install and is rebuilt.
const marker = path.join(venvDir, '.complete');

/** Returns the venv's directory, creating it (python3 -m venv + pip) when missing. */
export function ensureDaskVenv(): string {
  if (fs.existsSync(marker)) return venvDir;
  fs.rmSync(venvDir, { recursive: true, force: true });
  fs.mkdirSync(cacheRoot, { recursive: true });
  const python = process.env.PYTHON ?? 'python3';
  execFileSync(python, ['-m', 'venv', venvDir], { stdio: 'inherit' });
  execFileSync(venvBin('pip'), ['install', '--quiet', '--disable-pip-version-check', `distributed==${DASK_VERSION}`], { stdio: 'inherit', timeout: 15 * 60_000 });
  fs.writeFileSync(marker, `distributed==${DASK_VERSION}\n`);
  return venvDir;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureDaskVenv());
