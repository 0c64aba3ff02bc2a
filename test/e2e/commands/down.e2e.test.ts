// `kubectl dask down`: deletes what the cluster owns and returns only once its pods are gone;
// without a terminal it never asks and never deletes unasked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshNamespace, kubectl, type Namespace } from '../testbed/helpers.ts';
import { dask, daskOk, firstLine, objectNames, Plugin, pods } from './helpers.ts';

let ns: Namespace;
beforeEach(async () => {
  ns = await freshNamespace('cmd-down');
});
afterEach(async () => {
  await ns?.cleanup();
});

describe('kubectl dask down', () => {
  it('--yes deletes the Deployments, the Service and every pod before it returns', async () => {
    await daskOk(['up', '-n', ns.name]);
    const r = await dask(['down', '--yes', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Deleted Dask cluster "dask" in namespace "${ns.name}"`);
    expect(r.stderr).toMatch(/✓ Pods terminated/);

    // Nothing left, terminating or not, the moment it returns.
    expect(await objectNames(ns.name)).toEqual([]);
    expect(await pods(ns.name, 'dask')).toEqual([]);
    expect((await dask(['status', '-n', ns.name])).code).toBe(3);
  });

  it('a pod that does not go away: exit 5 naming it, and the kubectl command to look with, -n included', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '1']);
    const [worker] = (await pods(ns.name, 'dask', 'worker')).map((pod) => pod.metadata.name);
    await kubectl(['patch', 'pod', worker!, '-n', ns.name, '--type', 'merge', '-p', '{"metadata":{"finalizers":["kubectl-dask.test/hold"]}}']);
    try {
      const r = await dask(['down', '--yes', '-n', ns.name, '--timeout', '3s']);
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain(`they may have finalizers or a stuck node; check with kubectl get pods -n ${ns.name} -l app.kubernetes.io/name=dask,`);
      expect(r.stderr).toContain(`pod ${worker} still exists`);

      // Ctrl-C while the pods terminate: running down again would find no cluster, so the hint is the pods.
      await daskOk(['up', '-n', ns.name, '--name', 'etl', '--workers', '1']);
      const [held] = (await pods(ns.name, 'etl', 'worker')).map((pod) => pod.metadata.name);
      await kubectl(['patch', 'pod', held!, '-n', ns.name, '--type', 'merge', '-p', '{"metadata":{"finalizers":["kubectl-dask.test/hold"]}}']);
      const running = new Plugin(['down', 'etl', '--yes', '-n', ns.name], { timeoutMs: 60_000 });
      await running.waitForStderr(/Pods terminated/);
      running.child.kill('SIGINT');
      const interrupted = await running.result;
      await kubectl(['patch', 'pod', held!, '-n', ns.name, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      expect(interrupted.code, interrupted.stderr).toBe(130);
      expect(interrupted.stderr.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(`^error: interrupted: the cluster's objects are deleted and its pods are terminating; watch them with kubectl get pods -n ${ns.name} -l app\\.kubernetes\\.io/name=dask,.*instance=etl`),
      );
    } finally {
      await kubectl(['patch', 'pod', worker!, '-n', ns.name, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
  });

  it('deletes only the named cluster', async () => {
    await daskOk(['up', '-n', ns.name]);
    await daskOk(['up', '-n', ns.name, '--name', 'etl', '--workers', '1']);
    const r = await dask(['down', 'etl', '-y', '-n', ns.name, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: 'etl',
      namespace: ns.name,
      deleted: expect.arrayContaining(['deployment/etl-scheduler', 'deployment/etl-worker', 'service/etl-scheduler']),
    });
    expect(await pods(ns.name, 'etl')).toEqual([]);
    expect(await objectNames(ns.name)).toEqual(
      expect.arrayContaining(['deployment.apps/dask-scheduler', 'deployment.apps/dask-worker', 'service/dask-scheduler']),
    );
    expect((await pods(ns.name, 'dask')).length).toBe(3);
  });

  it('without --yes and without a terminal exits 2 and deletes nothing', async () => {
    await daskOk(['up', '-n', ns.name]);
    const before = await objectNames(ns.name);

    // stdin is a pipe here, with an answer waiting: it must still not be read as consent.
    const r = await dask(['down', '-n', ns.name], { input: 'y\n' });
    expect(r.code, r.stderr).toBe(2);
    expect(firstLine(r.stderr)).toMatch(/^error: refusing to delete Dask cluster "dask" .*pass --yes/);
    expect(r.stdout).toBe('');
    expect(await objectNames(ns.name)).toEqual(before);
  });

  it('of a cluster that does not exist exits 3 and says how to find clusters', async () => {
    const r = await dask(['down', 'nosuch', '--yes', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(3);
    expect(firstLine(r.stderr)).toBe(
      `error: Dask cluster "nosuch" not found in namespace "${ns.name}": create it with kubectl dask up --name nosuch -n ${ns.name}, or list clusters with kubectl dask list -A`,
    );
    expect(r.stdout).toBe('');
  });
});
