// `kubectl dask port-forward` and `dashboard` with real Dask: a scheduler and a worker from PyPI
// run on loopback, kwok forwards the scheduler pod's 8786/8787 to them, and a real
// dask.distributed.Client connects through the plugin's local port.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Namespace, forwardNamespacePort, freshNamespace, kubectl, waitFor } from '../testbed/helpers.ts';
import { ensureDaskVenv } from './dask-venv.ts';
import { type LocalDask, type Running, dask, startDask, startDaskClient, startLocalDask, waitForReadyPods } from './helpers.ts';

const schedulerSelector = 'app.kubernetes.io/component=scheduler';

describe('port-forward to a real Dask scheduler', () => {
  let ns: Namespace;
  let local: LocalDask;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    ensureDaskVenv();
    local = await startLocalDask();
    ns = await freshNamespace('forward');
    // Every pod of the namespace, so the scheduler pod's replacement is forwarded too.
    await forwardNamespacePort(ns.name, 8786, local.schedulerPort);
    await forwardNamespacePort(ns.name, 8787, local.dashboardPort);
    const up = await dask(['up', '-n', ns.name, '--workers', '1', '--no-wait']);
    expect(up.code, up.stderr).toBe(0);
    await waitForReadyPods(ns.name, schedulerSelector, 1);
  }, 20 * 60_000);

  afterAll(async () => {
    // Local processes first, so a failing namespace cleanup cannot leave them running.
    for (const c of cleanups.reverse()) await c();
    await local?.stop();
    await ns?.cleanup();
  });

  /** Starts port-forward on free ports; resolves with the printed addresses. */
  async function portForward(extra: string[] = []): Promise<{ run: Running; address: string; dashboard: string; port: number }> {
    const run = startDask(['port-forward', '-n', ns.name, '--port', '0', '--dashboard-port', '0', ...extra]);
    cleanups.push(() => run.kill());
    const [, address, port] = await run.waitForLine('stdout', /^Dask address:\s+(tcp:\/\/127\.0\.0\.1:(\d+))$/);
    const [, dashboard] = await run.waitForLine('stdout', /^Dashboard:\s+(http:\/\/\S+)$/);
    await run.waitForLine('stderr', /forwarding to scheduler pod/);
    return { run, address: address!, dashboard: dashboard!, port: Number(port) };
  }

  it('lets a Dask client compute through the forward, serves the dashboard and stops on Ctrl-C with exit 0', async () => {
    const { run, address, dashboard } = await portForward();
    expect(run.stdout).toContain(`  from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="${address}")`);
    const client = startDaskClient(address);
    cleanups.push(() => client.kill());
    await client.waitForLine('stdout', /^computed 45$/, 60_000);
    client.child.stdin?.end();
    expect(await client.exited).toBe(0);
    const health = await fetch(`${dashboard}/health`);
    expect(await health.text()).toBe('ok');
    const stopped = await run.interrupt();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(2_000);
  });

  it('follows the scheduler when its pod is deleted: the session reconnects and new clients use the same local port', async () => {
    const { run, address } = await portForward();
    const client = startDaskClient(address);
    cleanups.push(() => client.kill());
    await client.waitForLine('stdout', /^computed 45$/, 60_000);
    const [old] = await waitForReadyPods(ns.name, schedulerSelector, 1);
    const mark = run.stderr.length;
    await kubectl(['delete', 'pod', '-n', ns.name, '-l', schedulerSelector, '--wait=false']);
    await run.waitForLine('stderr', new RegExp(`scheduler pod ${old} went away: closing its [1-9]\\d* connection`), 30_000, mark);
    const [, replacement] = await run.waitForLine('stderr', /forwarding to scheduler pod (\S+)/, 60_000, mark);
    expect(replacement).not.toBe(old);
    // The old session's connection was closed; its Client reconnects through the same port.
    client.compute(100);
    await client.waitForLine('stdout', /^computed 4950$/, 60_000);
    const second = startDaskClient(address);
    cleanups.push(() => second.kill());
    await second.waitForLine('stdout', /^computed 45$/, 60_000);
    second.child.stdin?.end();
    client.child.stdin?.end();
    expect(await second.exited).toBe(0);
    expect(await client.exited).toBe(0);
    expect((await run.interrupt()).code).toBe(0);
  });

  it('says which flag to change when the local port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await dask(['port-forward', '-n', ns.name, '--port', String(busy), '--dashboard-port', '0']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`error: local port 127.0.0.1:${busy} is already in use: pass --port 0 for any free port, or another --port`);
      expect(r.stdout).toBe('');
    } finally {
      blocker.close();
    }
  });

  it('dashboard forwards only the dashboard and prints its URL without a browser', async () => {
    const run = startDask(['dashboard', '-n', ns.name, '--port', '0']);
    cleanups.push(() => run.kill());
    const [, url] = await run.waitForLine('stdout', /^Dashboard:\s+(http:\/\/127\.0\.0\.1:\d+)$/);
    expect(run.stdout.filter((l) => l.trim() !== '')).toEqual([`Dashboard: ${url}`]);
    await waitFor(async () => (await (await fetch(`${url}/health`)).text()) === 'ok', { what: 'the dashboard through the forward' });
    expect((await run.interrupt()).code).toBe(0);
  });
});
