// An API server restart while `logs -f` and `port-forward` run: both resume on their own, the
// logs without a duplicated or missing line, the forward for the open Dask session and for new
// clients on the same local port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Namespace, appendLogLine, forwardNamespacePort, freshNamespace, serveNamespaceLogsFromFile } from '../testbed/helpers.ts';
import { ensureDaskVenv } from './dask-venv.ts';
import { type LocalDask, type Running, dask, restartApiServer, startDask, startDaskClient, startLocalDask, waitForLines, waitForReadyPods } from './helpers.ts';

let ns: Namespace;
let local: LocalDask;
let dir: string;
const running: Running[] = [];

beforeAll(async () => {
  ensureDaskVenv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-dask-restart-'));
  local = await startLocalDask();
  ns = await freshNamespace('restart');
  await forwardNamespacePort(ns.name, 8786, local.schedulerPort);
  await serveNamespaceLogsFromFile(ns.name, path.join(dir, 'pods.log'));
  const up = await dask(['up', '-n', ns.name, '--workers', '2', '--no-wait']);
  expect(up.code, up.stderr).toBe(0);
  await waitForReadyPods(ns.name, 'app.kubernetes.io/instance=dask', 3);
}, 20 * 60_000);

afterAll(async () => {
  // Local processes first: the namespace cleanup needs the API server, which this file restarts.
  for (const r of running) r.kill();
  await local?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  await ns?.cleanup();
});

it('logs -f and port-forward both resume after the API server restarts', async () => {
  const file = path.join(dir, 'pods.log');
  appendLogLine(file, 'before the restart');
  const logs = startDask(['logs', '-n', ns.name, '-f']);
  const forward = startDask(['port-forward', '-n', ns.name, '--port', '0', '--dashboard-port', '0']);
  running.push(logs, forward);
  const [, address] = await forward.waitForLine('stdout', /^Dask address:\s+(tcp:\/\/\S+)$/);
  const client = startDaskClient(address!);
  running.push(client);
  await client.waitForLine('stdout', /^computed 45$/, 60_000);
  await waitForLines(logs, 'before the restart', 2);

  await restartApiServer();

  appendLogLine(file, 'after the restart');
  await waitForLines(logs, 'after the restart', 2, 30_000);
  client.compute(100);
  await client.waitForLine('stdout', /^computed 4950$/, 60_000);
  const second = startDaskClient(address!);
  running.push(second);
  await second.waitForLine('stdout', /^computed 45$/, 60_000);

  // Every pod's lines exactly once: the resume skipped what had been printed.
  expect(logs.stdout.filter((l) => l.endsWith(' before the restart'))).toHaveLength(2);
  expect(logs.stdout.filter((l) => l.endsWith(' after the restart'))).toHaveLength(2);
  expect(logs.stderr.some((l) => /log stream interrupted/.test(l))).toBe(true);
  // Ctrl-C: a follow ends with 130, as kubectl logs -f; a forward with 0, as kubectl port-forward.
  expect((await logs.interrupt()).code).toBe(130);
  expect((await forward.interrupt()).code).toBe(0);
});
