// `kubectl dask scale`: the worker count changes through the scale subresource and the command
// returns only when the pods match, so kubectl right afterwards already agrees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net, { type AddressInfo } from 'node:net';
import { forwardPodPort, freshNamespace, type Namespace } from '../testbed/helpers.ts';
import { dask, daskOk, getJson, hasAnsi, kubectl, pods, workerCounts } from './helpers.ts';

// One cluster for the sequence: each step starts from the count the previous one left.
let ns: Namespace;
beforeAll(async () => {
  ns = await freshNamespace('cmd-scale');
  await daskOk(['up', '-n', ns.name]);
});
afterAll(async () => {
  await ns?.cleanup();
});

// No Dask process runs behind kwok's pods, so a scale-down cannot retire workers here: these
// tests pass --force (retirement itself is proven with real Dask in test/e2e/real).
async function scaleTo(n: number, ...flags: string[]): Promise<string> {
  const r = await dask(['scale', '-n', ns.name, '--workers', String(n), ...flags]);
  expect(r.code, r.stderr).toBe(0);
  // The pods already match when the command returns: no waiting here.
  expect(await workerCounts(ns.name)).toEqual({ total: n, ready: n, terminating: 0 });
  const worker = await getJson(ns.name, 'deployment/dask-worker');
  expect(worker.spec.replicas).toBe(n);
  expect(worker.status.readyReplicas ?? 0).toBe(n);
  expect(r.stdout).toMatch(new RegExp(`Workers:\\s+${n}/${n}`));
  expect(r.stderr).toContain(`Scale Dask cluster "dask" in namespace "${ns.name}"`);
  expect(r.stderr).toMatch(new RegExp(`✓ Workers ready ${n}/${n}`));
  expect(hasAnsi(r.stdout + r.stderr)).toBe(false);
  return r.stderr;
}

describe('kubectl dask scale', () => {
  it('scales up from 2 to 5 workers and waits until all are Ready', async () => {
    const progress = await scaleTo(5);
    expect(progress).toContain('from 2 to 5 worker(s)');
  });

  it('refuses to scale down when the scheduler cannot retire the workers, changing nothing', async () => {
    const r = await dask(['scale', '-n', ns.name, '--workers', '1']);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/^error: cannot reach the Dask scheduler to retire workers before scaling down \(.*\); nothing was changed\. Retry, or pass --force/m);
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(5);
    for (const pod of await pods(ns.name, 'dask', 'worker')) {
      expect((pod.metadata as { annotations?: Record<string, string> }).annotations?.['controller.kubernetes.io/pod-deletion-cost']).toBeUndefined();
    }
  });

  it('a scheduler whose API accepts and never answers: --timeout bounds the retire step, and --force goes on without the minute it waited', async () => {
    // The scheduler's dashboard port leads to a server that takes connections and says nothing.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const scheduler = (await pods(ns.name, 'dask', 'scheduler'))[0]!.metadata.name;
    const unforward = await forwardPodPort(ns.name, scheduler, 8787, (silent.address() as AddressInfo).port);
    try {
      const begun = Date.now();
      const r = await dask(['scale', '-n', ns.name, '--workers', '4', '--timeout', '3s']);
      expect(r.code, r.stderr).toBe(6);
      expect(r.stderr).toMatch(/^error: cannot reach the Dask scheduler to retire workers before scaling down \(GET \/api\/v1\/get_workers got no answer in 3s\); nothing was changed/m);
      expect(Date.now() - begun).toBeLessThan(20_000);
      expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(5);

      const forced = Date.now();
      const progress = await scaleTo(4, '--force');
      expect(progress).toMatch(/skipped \(--force\): GET \/api\/v1\/get_workers got no answer in 10s/);
      expect(Date.now() - forced).toBeLessThan(40_000);
    } finally {
      await unforward();
      silent.close();
    }
  });

  it('with --force scales down to 1, removing the pods it chose, and waits until the surplus workers are gone', async () => {
    const progress = await scaleTo(1, '--force');
    expect(progress).toMatch(/✗ Retire 3 worker\(s\) on the scheduler, keeping their results skipped \(--force\)/);
  });

  it('scales to 0 workers (the scheduler keeps running) and back to 2', async () => {
    await scaleTo(0, '--force');
    const scheduler = await getJson(ns.name, 'deployment/dask-scheduler');
    expect(scheduler.status.readyReplicas).toBe(1);
    await scaleTo(2);
  });

  it('--no-wait -o json returns the status with the new desired count', async () => {
    const r = await dask(['scale', '-n', ns.name, '--workers', '3', '--no-wait', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.workers.desired).toBe(3);
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(3);
  });

  it('changes only the replicas: the worker template stays as up applied it', async () => {
    const before = await getJson(ns.name, 'deployment/dask-worker');
    await daskOk(['scale', '-n', ns.name, '--workers', '2', '--force']);
    const after = await getJson(ns.name, 'deployment/dask-worker');
    expect(after.spec.template).toEqual(before.spec.template);
    expect(after.spec.replicas).toBe(2);
  });

  it('clears a deletion mark an earlier failed scale-down left on a pod that stays, so exactly the chosen pods go', async () => {
    const COST = 'controller.kubernetes.io/pod-deletion-cost';
    const before = await pods(ns.name, 'dask', 'worker');
    expect(before).toHaveLength(2);
    // The one scale-down keeps: it removes the newest first.
    const byAge = before.map((p) => ({ name: p.metadata.name, created: p.metadata.creationTimestamp ?? '' })).sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
    const stays = byAge[0]!.name;
    await kubectl(['annotate', 'pod', '-n', ns.name, stays, `${COST}=-1000000`]);
    await scaleTo(1, '--force');
    const after = await pods(ns.name, 'dask', 'worker');
    expect(after.map((p) => p.metadata.name)).toEqual([stays]);
    expect(after[0]!.metadata.annotations?.[COST]).toBeUndefined();
  });

  it('refuses a missing --workers with exit 2, naming the flag', async () => {
    const r = await dask(['scale', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^error: missing --workers/);
    expect(r.stdout).toBe('');
  });
});

describe('kubectl dask scale of a cluster whose worker Deployment was deleted by hand', () => {
  it('exits 3 saying that up recreates it, and up then does', async () => {
    await using other = await freshNamespace('cmd-scale-noworker');
    await daskOk(['up', '-n', other.name, '--name', 'etl', '--workers', '1']);
    await kubectl(['delete', 'deployment', 'etl-worker', '-n', other.name]);
    const r = await dask(['scale', 'etl', '-n', other.name, '--workers', '2']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe(
      `error: Dask cluster "etl" in namespace "${other.name}" has no worker Deployment etl-worker: recreate it with kubectl dask up --name etl -n ${other.name} --workers N`,
    );
    await daskOk(['up', '--name', 'etl', '-n', other.name, '--workers', '2']);
    expect((await getJson(other.name, 'deployment/etl-worker')).spec.replicas).toBe(2);
  });
});
