// Flag mistakes of port-forward, dashboard and logs fail with exit 2 and one line naming the fix,
// before any kubeconfig is read (KUBECONFIG points nowhere).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kubectl-dask-flags-'));
  vi.stubEnv('HOME', home);
  vi.stubEnv('KUBECONFIG', join(home, 'none'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

it.each([
  [['port-forward', '--port', '70000'], 'invalid --port 70000: expected a whole number from 0 to 65535'],
  [['port-forward', '--dashboard-port', 'x'], 'invalid --dashboard-port "x"'],
  [['port-forward', '--port', '9000', '--dashboard-port', '9000'], '--port and --dashboard-port are both 9000'],
  [['port-forward', '--address', 'my-laptop'], 'invalid --address "my-laptop": expected an IP address'],
  [['dashboard', '--port', '-1'], 'invalid --port "-1"'],
  [['logs', '--scheduler', '--all'], '--scheduler and --all exclude each other'],
  [['logs', '--since', 'yesterday'], 'invalid --since "yesterday"'],
  [['logs', '--tail', 'many'], 'invalid --tail "many"'],
  [['logs', '-o', 'yaml'], 'logs print -o json (one object per line) or text, not yaml'],
])('%j exits 2: %s', async (argv, message) => {
  let stderr = '';
  const code = await main(argv, { write: (chunk: string) => ((stderr += chunk), true) } as NodeJS.WritableStream);
  expect(code).toBe(2);
  expect(stderr.split('\n')[0]).toContain(`error: ${message}`);
});
