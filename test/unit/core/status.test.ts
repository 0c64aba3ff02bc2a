import { describe, expect, it } from 'vitest';
import { clusterStatus, formatAge, groupClusters } from '../../../src/core/status.ts';
import { CREATED, deployment, pod } from './fixtures.ts';

describe('clusterStatus', () => {
  const ready = () =>
    clusterStatus('dask', 'data', deployment('scheduler', { namespace: 'data' }), deployment('worker', { namespace: 'data', replicas: 3, image: 'ghcr.io/dask/dask:custom' }), [
      pod('dask-scheduler-5d8f7-abcde', { namespace: 'data' }),
      pod('dask-worker-7c9b4-fghij', { namespace: 'data' }),
    ]);

  it('gives the in-namespace address flows use, and an FQDN address and dashboard for other namespaces', () => {
    expect(ready()).toMatchObject({
      address: 'tcp://dask-scheduler:8786',
      fqdnAddress: 'tcp://dask-scheduler.data.svc:8786',
      dashboard: 'http://dask-scheduler.data.svc:8787',
    });
  });

  it('offers copy-paste snippets for a Dask Client and a Prefect DaskTaskRunner', () => {
    const { snippets } = ready();
    expect(snippets.dask).toContain('Client("tcp://dask-scheduler:8786")');
    expect(snippets.prefect).toContain('DaskTaskRunner(address="tcp://dask-scheduler:8786")');
  });

  it('reports readiness counts, the worker image and the creation time', () => {
    expect(ready()).toMatchObject({
      name: 'dask',
      namespace: 'data',
      ready: true,
      scheduler: { ready: 1, desired: 1, updated: 1, old: 0 },
      workers: { ready: 3, desired: 3, updated: 3, old: 0 },
      image: 'ghcr.io/dask/dask:custom',
      createdAt: CREATED.toISOString(),
      waitingFor: [],
    });
    expect(ready().pods.map((p) => p.name)).toEqual(['dask-scheduler-5d8f7-abcde', 'dask-worker-7c9b4-fghij']);
  });

  it('counts updated pods and those of older revisions mid-rollout, when ready counts both', () => {
    const rolling = clusterStatus('dask', 'data', deployment('scheduler', { namespace: 'data' }), deployment('worker', { namespace: 'data', replicas: 3, total: 4, updated: 2, ready: 4 }), []);
    expect(rolling.workers).toEqual({ ready: 4, desired: 3, updated: 2, old: 2 });
    expect(rolling.ready).toBe(false);
  });

  it('describes a cluster whose Deployments are gone as not ready, with no image or age', () => {
    const s = clusterStatus('dask', 'data', undefined, undefined, []);
    expect(s).toMatchObject({ ready: false, image: null, createdAt: null, address: 'tcp://dask-scheduler:8786' });
    expect(s.waitingFor).toEqual(['deployment dask-scheduler does not exist', 'deployment dask-worker does not exist']);
  });
});

describe('groupClusters', () => {
  it('groups Deployments and pods by namespace and instance label, sorted by namespace then name', () => {
    const list = groupClusters(
      [
        deployment('worker', { namespace: 'team-b' }),
        deployment('scheduler', { namespace: 'team-b' }),
        deployment('scheduler', { namespace: 'team-a', cluster: 'etl' }),
        deployment('worker', { namespace: 'team-a', cluster: 'etl', replicas: 5 }),
        deployment('scheduler', { namespace: 'team-a' }),
        deployment('worker', { namespace: 'team-a' }),
      ],
      [pod('dask-worker-1', { namespace: 'team-a' }), pod('dask-worker-2', { namespace: 'team-b' }), pod('etl-worker-1', { namespace: 'team-a', cluster: 'etl' })],
    );
    expect(list.map((s) => `${s.namespace}/${s.name}`)).toEqual(['team-a/dask', 'team-a/etl', 'team-b/dask']);
    // Same cluster name in two namespaces: each keeps only its own pods.
    expect(list.map((s) => s.pods.map((p) => p.name))).toEqual([['dask-worker-1'], ['etl-worker-1'], ['dask-worker-2']]);
    expect(list[1]!.workers.desired).toBe(5);
    expect(list[1]!.fqdnAddress).toBe('tcp://etl-scheduler.team-a.svc:8786');
  });

  it('still lists a cluster that lost its scheduler, saying what is missing', () => {
    const [only] = groupClusters([deployment('worker', { namespace: 'team-a' })], []);
    expect(only).toMatchObject({ name: 'dask', ready: false, waitingFor: ['deployment dask-scheduler does not exist'] });
  });

  it('ignores a Deployment without an instance label and pods of no listed cluster', () => {
    const unlabelled = deployment('worker');
    delete unlabelled.metadata!.labels!['app.kubernetes.io/instance'];
    expect(groupClusters([unlabelled], [pod('dask-worker-1')])).toEqual([]);
  });
});

describe('formatAge', () => {
  const NOW = new Date('2026-09-01T12:00:00Z');
  const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

  // kubectl's AGE column for the same ages.
  it.each([
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [335, '5m35s'],
    [599, '9m59s'],
    [600, '10m'],
    [10_799, '179m'],
    [10_800, '3h'],
    [12_000, '3h20m'],
    [28_800, '8h'],
    [172_799, '47h'],
    [172_800, '2d'],
    [187_200, '2d4h'],
    [8 * 86_400, '8d'],
    [30 * 86_400, '30d'],
    [729 * 86_400, '729d'],
    [(3 * 365 + 12) * 86_400, '3y12d'],
    [9 * 365 * 86_400, '9y'],
  ])('%d seconds old is %s', (seconds, text) => {
    expect(formatAge(ago(seconds), NOW)).toBe(text);
  });

  it('shows 0s for a timestamp slightly in the future (clock skew)', () => {
    expect(formatAge(ago(-3), NOW)).toBe('0s');
  });

  it('shows <unknown> without a timestamp', () => {
    expect(formatAge(null, NOW)).toBe('<unknown>');
  });
});
