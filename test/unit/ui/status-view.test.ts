import { describe, expect, it } from 'vitest';
import { formatClusterTable, formatObjects, formatStatus } from '../../../src/ui/status-view.ts';
import { NOW, cluster, minutesAgo, pod } from './fixtures.ts';

const stuck = cluster({
  name: 'etl',
  namespace: 'team-a',
  ready: false,
  workers: { ready: 1, desired: 2, updated: 2, old: 0 },
  createdAt: minutesAgo(1),
  pods: [pod('etl-scheduler-a'), pod('etl-worker-b', { ready: false, phase: 'Pending', reason: 'ImagePullBackOff', createdAt: minutesAgo(1) })],
  waitingFor: ['deployment etl-worker: 1/2 ready, 2 updated', 'pod etl-worker-b not Ready (ImagePullBackOff: Back-off pulling image)'],
});

describe('formatStatus', () => {
  it('describes a ready cluster', () => {
    expect(formatStatus(cluster(), { color: false, now: NOW })).toBe(
      [
        'Name:         dask',
        'Namespace:    default',
        'Ready:        yes',
        'Scheduler:    1/1',
        'Workers:      2/2',
        'Image:        ghcr.io/dask/dask:2026.8.0',
        'Age:          90m',
        'Address:      tcp://dask-scheduler:8786  (from namespace default)',
        'FQDN address: tcp://dask-scheduler.default.svc:8786  (from any namespace)',
        'Dashboard:    http://dask-scheduler.default.svc:8787',
        '',
        'Dask client:',
        '  from dask.distributed import Client; client = Client("tcp://dask-scheduler:8786")',
        'Prefect 3 task runner:',
        '  from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="tcp://dask-scheduler:8786")',
        '',
        'Pods:',
        '  NAME                         COMPONENT   READY   STATUS    RESTARTS   AGE',
        '  dask-scheduler-5d8f7-abcde   scheduler   yes     Running   0          5m',
        '  dask-worker-7c9b4-fghij      worker      yes     Running   0          5m',
        '  dask-worker-7c9b4-klmno      worker      yes     Running   0          5m',
        '',
      ].join('\n'),
    );
  });

  it('says what a cluster that is not ready is waiting for', () => {
    const text = formatStatus(stuck, { color: false, now: NOW });
    expect(text).toContain('Ready:        no\n');
    expect(text).toContain('Workers:      1/2\n');
    expect(text).toContain('  etl-worker-b      worker      no      ImagePullBackOff   0          60s\n');
    expect(text.endsWith('Waiting for:\n  deployment etl-worker: 1/2 ready, 2 updated\n  pod etl-worker-b not Ready (ImagePullBackOff: Back-off pulling image)\n')).toBe(true);
  });

  it('handles a cluster with no pods, image or creation time', () => {
    const text = formatStatus(cluster({ pods: [], image: null, createdAt: null }), { color: false, now: NOW });
    expect(text).toContain('Image:        <none>\nAge:          <unknown>\n');
    expect(text).toContain('\nPods: none\n');
  });

  it('colours only when asked', () => {
    expect(formatStatus(stuck, { color: false, now: NOW })).not.toContain('\x1b[');
    expect(formatStatus(stuck, { color: true, now: NOW })).toContain('Ready:        \x1b[33mno\x1b[39m\n');
  });
});

describe('formatClusterTable', () => {
  it('lists clusters like kubectl get', () => {
    expect(formatClusterTable([cluster(), stuck], { color: false, allNamespaces: false, now: NOW })).toBe(
      [
        'NAME   READY   SCHEDULER   WORKERS   IMAGE                        AGE   ADDRESS',
        'dask   yes     1/1         2/2       ghcr.io/dask/dask:2026.8.0   90m   tcp://dask-scheduler:8786',
        'etl    no      1/1         1/2       ghcr.io/dask/dask:2026.8.0   60s   tcp://etl-scheduler:8786',
        '',
      ].join('\n'),
    );
  });

  it('counts the pods of an older revision mid-rollout, as its ready ones count in READY', () => {
    const rolling = cluster({ ready: false, workers: { ready: 3, desired: 3, updated: 2, old: 1 } });
    const lines = formatClusterTable([rolling], { color: false, allNamespaces: false, now: NOW }).split('\n');
    expect(lines[1]).toMatch(/^dask   no      1\/1         3\/3 \(1 old\)   ghcr/);
    expect(formatStatus(rolling, { color: false, now: NOW })).toContain('Workers:      3/3 (1 old)\n');
  });

  it('adds NAMESPACE first across namespaces', () => {
    const lines = formatClusterTable([cluster(), stuck], { color: false, allNamespaces: true, now: NOW }).split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE   NAME   READY /);
    expect(lines[2]).toMatch(/^team-a      etl    no /);
  });

  it('keeps colour codes off the padding', () => {
    const text = formatClusterTable([stuck], { color: true, allNamespaces: false, now: NOW });
    expect(text).toContain('\x1b[33mno\x1b[39m      ');
  });

  it('returns nothing for no clusters, leaving the message to the caller', () => {
    expect(formatClusterTable([], { color: false, allNamespaces: true })).toBe('');
  });
});

describe('formatObjects', () => {
  const labels = { app: 'dask' };
  const manifests = [
    { kind: 'Service', metadata: { name: 'dask-scheduler', labels } },
    { kind: 'Deployment', metadata: { name: 'dask-worker', labels } },
  ];

  it('prints JSON with two-space indent', async () => {
    expect(await formatObjects({ a: [1] }, 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('prints manifests as a YAML stream without anchors', async () => {
    expect(await formatObjects(manifests, 'yaml', { documents: true })).toBe(
      [
        'kind: Service',
        'metadata:',
        '  name: dask-scheduler',
        '  labels:',
        '    app: dask',
        '---',
        'kind: Deployment',
        'metadata:',
        '  name: dask-worker',
        '  labels:',
        '    app: dask',
        '',
      ].join('\n'),
    );
  });

  it('prints manifests in JSON as a List, which kubectl apply reads', async () => {
    expect(JSON.parse(await formatObjects(manifests, 'json', { documents: true }))).toEqual({ apiVersion: 'v1', kind: 'List', items: manifests });
  });

  it('prints an array as one YAML sequence unless documents are asked for', async () => {
    expect(await formatObjects([{ a: 1 }, { a: 2 }], 'yaml')).toBe('- a: 1\n- a: 2\n');
  });

  it('quotes what a YAML 1.1 reader would not take for a string, as kubectl does', async () => {
    expect(await formatObjects({ createdAt: '2026-12-06T09:26:10Z', answer: 'yes', mode: '0755', count: 3 }, 'yaml')).toBe(
      'createdAt: "2026-12-06T09:26:10Z"\nanswer: "yes"\nmode: "0755"\ncount: 3\n',
    );
  });

  it("writes client-node's Dates as the API server writes times, in JSON and YAML", async () => {
    const created = { metadata: { creationTimestamp: new Date('2026-12-06T09:26:10Z') } };
    expect(JSON.parse(await formatObjects(created, 'json'))).toEqual({ metadata: { creationTimestamp: '2026-12-06T09:26:10Z' } });
    expect(await formatObjects([created], 'yaml', { documents: true })).toBe('metadata:\n  creationTimestamp: "2026-12-06T09:26:10Z"\n');
  });

  it('never folds long lines such as snippets', async () => {
    const snippet = cluster().snippets.prefect;
    expect(await formatObjects({ snippet }, 'yaml')).toBe(`snippet: ${snippet}\n`);
  });
});
