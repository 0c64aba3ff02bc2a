// Dask really runs: on the testbed's real node (npm run cluster:up:real, or started here), the
// built plugin brings up scheduler and worker processes that pass their probes, a Python client
// through the forwarded scheduler computes on them, scaling is seen by the scheduler, the
// workers' own log lines come back, and the recipe's Prefect 3 flow runs its tasks on the workers.
//
// Needs root (containerd, kubelet, iptables). Not root: the file is skipped with a warning.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRealUser, downReal, nodeName, realLogsDir, realStartedByTestsMarker, upReal } from '../../cluster/real-node.ts';
import { rel } from '../../cluster/testbed.ts';
import { kubectl, kubectlJson, waitFor } from '../testbed/helpers.ts';
import { dask, daskOk, forwardScheduler, python, realNamespace, startPrefectServer, workerLogs, type Forward } from './helpers.ts';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('[real node] skipped: these tests need root (containerd, kubelet, iptables)');

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number; ready: boolean }[] };
}

describe.skipIf(!isRoot)('Dask on the real node', () => {
  let release: (() => number) | undefined;
  let image = '';
  let ns: { name: string; cleanup: () => Promise<void> };
  let forward: Forward | undefined;

  beforeAll(async () => {
    const t0 = Date.now();
    release = addRealUser();
    const r = await upReal();
    if (r.started) fs.writeFileSync(realStartedByTestsMarker, `${process.pid}\n`);
    image = r.image;
    console.info(`[real node] ${r.started ? 'started' : 'reused'} in ${Math.round((Date.now() - t0) / 1000)} s; logs: ${rel(realLogsDir)}/`);
    ns = await realNamespace('real');
  }, 45 * 60_000);

  afterAll(async () => {
    forward?.stop();
    await ns?.cleanup();
    // Like the control plane: the last test run using a node that a test run started stops it;
    // one started by npm run cluster:up:real keeps running.
    const others = release?.() ?? 0;
    if (process.env.KUBECTL_DASK_TESTBED_KEEP || !fs.existsSync(realStartedByTestsMarker)) return;
    if (others) console.info(`[real node] left running for ${others} other test run(s); the last one stops it`);
    else await downReal();
  }, 180_000);

  /** The forwarded scheduler; each test that needs it can start it on its own. */
  const forwarded = async () => {
    forward ??= await forwardScheduler(ns.name);
    return forward;
  };
  const scheduler = async () => (await forwarded()).address;

  const pods = async (component?: string) =>
    (
      await kubectlJson<{ items: Pod[] }>([
        'get',
        'pods',
        '-n',
        ns.name,
        '-l',
        component ? `app.kubernetes.io/component=${component}` : 'app.kubernetes.io/name=dask',
      ])
    ).items;

  it('kubectl dask up --image <local image> --workers 2 starts real scheduler and worker processes, Ready through their probes', async () => {
    const r = await daskOk(['-n', ns.name, 'up', '--image', image, '--workers', '2'], 300_000);
    expect(r.stderr + r.stdout).not.toMatch(/error/i);

    const all = await pods();
    expect(all).toHaveLength(3);
    for (const pod of all) {
      expect(pod.spec.nodeName).toBe(nodeName);
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.status.containerStatuses?.[0]?.restartCount).toBe(0);
    }
    // PID 1 of each container is the real Dask process the manifests ask for.
    const cmd = async (pod: string) =>
      (await kubectl(['exec', '-n', ns.name, pod, '--', 'cat', '/proc/1/cmdline'])).split('\0').join(' ');
    const scheduler = (await pods('scheduler'))[0]!.metadata.name;
    expect(await cmd(scheduler)).toMatch(/\/dask scheduler --port 8786 --dashboard-address :8787/);
    for (const w of await pods('worker')) {
      expect(await cmd(w.metadata.name)).toMatch(/\/dask worker tcp:\/\/dask-scheduler:8786 --name \S+ --nthreads 4/);
    }
  }, 360_000);

  it('resolves dask-scheduler.<namespace>.svc inside pods through cluster DNS', async () => {
    const worker = (await pods('worker'))[0]!.metadata.name;
    const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['get', 'service', 'dask-scheduler', '-n', ns.name]);
    const out = await kubectl([
      'exec', '-n', ns.name, worker, '--', 'python', '-c',
      `import socket; print(socket.gethostbyname("dask-scheduler.${ns.name}.svc"))`,
    ]);
    expect(out.trim()).toBe(svc.spec.clusterIP);
  });

  it('a dask.distributed Client through the forwarded scheduler sees 2 workers and computes', async () => {
    const r = await python('client.py', [await scheduler(), '2'], 180_000);
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(seen.workers).toBe(2);
    expect(seen.sum).toBe(328_350);
    expect(seen.ran_on.length).toBeGreaterThanOrEqual(1);
    const workerNames = (await pods('worker')).map((p) => p.metadata.name).sort();
    expect(seen.names).toEqual(workerNames);
  }, 240_000);

  it('a connection the scheduler closes ends the local socket as well (the dashboard answers Connection: close)', async () => {
    // kwok never ends a forwarded stream from the pod side; a real kubelet does, so this is
    // where a local client left hanging would show.
    const { port } = new URL((await forwarded()).dashboard);
    const socket = net.connect(Number(port), '127.0.0.1');
    let response = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const ended = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      socket.once('end', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toMatch(/\r\n\r\nok$/);
    expect(ended, `no FIN from the local port within 10 s after the response: ${JSON.stringify(response)}`).toBe(true);
  }, 60_000);

  it('after kubectl dask scale --workers 3 the client sees 3 workers', async () => {
    await daskOk(['-n', ns.name, 'scale', '--workers', '3'], 300_000);
    const r = await python('client.py', [await scheduler(), '3'], 180_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).workers).toBe(3);
  }, 480_000);

  it("kubectl dask logs shows the workers' own start-up lines", async () => {
    const logs = await waitFor(
      async () => {
        const text = await workerLogs(ns.name);
        return (text.match(/Registered to:\s+tcp:\/\/dask-scheduler:8786/g) ?? []).length >= 3 && text;
      },
      { timeoutMs: 60_000, what: 'three "Registered to:" lines' },
    );
    // Each worker's own line, prefixed with its pod (the plugin shortens the name but keeps the
    // pod's unique suffix).
    for (const w of await pods('worker')) {
      const suffix = w.metadata.name.split('-').pop()!;
      expect(logs).toMatch(new RegExp(`^\\S*${suffix}\\S* .*Registered to:\\s+tcp://dask-scheduler:8786`, 'm'));
    }
  }, 120_000);

  it("runs the recipe's Prefect 3 flow with DaskTaskRunner; its tasks run on the workers", async () => {
    const marker = `flow-${Date.now().toString(36)}`;
    const prefect = await startPrefectServer();
    let r;
    try {
      r = await python('flow.py', [await scheduler(), marker], 300_000, { PREFECT_API_URL: prefect.apiUrl });
    } finally {
      prefect.stop();
    }
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toContain('flow result 42');
    // The print happened in a worker process, not in the client.
    expect(r.stdout).not.toContain(`${marker}: second task got 42`);
    const logs = await waitFor(
      async () => {
        const text = await workerLogs(ns.name);
        return text.includes(`${marker}: second task got 42`) && text;
      },
      { timeoutMs: 60_000, what: "the second task's print in the worker logs" },
    );
    expect(logs).toMatch(/Task run 'first-[^']*' - Finished in state Completed\(\)/);
    expect(logs).toMatch(/Task run 'second-[^']*' - Finished in state Completed\(\)/);
  }, 360_000);

  it('kubectl dask scale --workers 1 retires the two workers that go first: results they held survive, and exactly their pods are removed', async () => {
    const before = await python('retire.py', [await scheduler(), 'scatter'], 180_000);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout.trim().split('\n').pop()!).holders).toBe(3);

    const r = await daskOk(['-n', ns.name, 'scale', '--workers', '1'], 300_000);
    expect(r.stderr).toMatch(/✓ Retire 2 worker\(s\) on the scheduler, keeping their results 2 retired/);

    const after = await python('retire.py', [await scheduler(), 'gather'], 180_000);
    expect(after.code, after.stderr).toBe(0);
    const seen = JSON.parse(after.stdout.trim().split('\n').pop()!);
    expect(seen.values).toEqual(Array.from({ length: 30 }, (_, i) => i * 7));
    // The worker the scheduler kept is the pod the ReplicaSet kept (the others may still be
    // terminating: their grace period lets a worker shut down cleanly).
    const kept = (await pods('worker')).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(seen.workers).toEqual(kept);
  }, 480_000);

  it('kubectl dask down leaves no pods', async () => {
    forward?.stop();
    forward = undefined;
    const r = await dask(['-n', ns.name, 'down', '--yes'], 180_000);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(async () => (await pods()).length === 0, { timeoutMs: 120_000, what: 'all Dask pods to go' });
    expect(await kubectl(['get', 'deployments,services,pods', '-n', ns.name, '-o', 'name'])).toBe('');
  }, 300_000);
});
