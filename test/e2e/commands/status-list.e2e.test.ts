// `kubectl dask status` and `list`: plain text for people, -o json|yaml in the documented shape
// (README, "status and list"), and list -A across namespaces.
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, type Namespace } from '../testbed/helpers.ts';
import { dask, daskOk, hasAnsi, lines, pods } from './helpers.ts';

let a: Namespace;
let b: Namespace;
beforeAll(async () => {
  a = await freshNamespace('cmd-status-a');
  b = await freshNamespace('cmd-status-b');
  await daskOk(['up', '-n', a.name]);
  await daskOk(['up', '-n', a.name, '--name', 'etl', '--workers', '1']);
  await daskOk(['up', '-n', b.name, '--workers', '3', '--image', 'registry.example.com/team/dask:1.0']);
});
afterAll(async () => {
  await a?.cleanup();
  await b?.cleanup();
});

/** Checks one object against the shape the README documents. */
function expectDocumentedShape(s: any, expected: { name: string; namespace: string; workers: number; image: string }) {
  const scheduler = `${expected.name}-scheduler`;
  expect(Object.keys(s).sort()).toEqual(
    ['address', 'createdAt', 'dashboard', 'fqdnAddress', 'image', 'name', 'namespace', 'pods', 'ready', 'scheduler', 'snippets', 'waitingFor', 'workers'].sort(),
  );
  expect(s).toMatchObject({
    name: expected.name,
    namespace: expected.namespace,
    ready: true,
    scheduler: { ready: 1, desired: 1, updated: 1, old: 0 },
    workers: { ready: expected.workers, desired: expected.workers, updated: expected.workers, old: 0 },
    image: expected.image,
    address: `tcp://${scheduler}:8786`,
    fqdnAddress: `tcp://${scheduler}.${expected.namespace}.svc:8786`,
    dashboard: `http://${scheduler}.${expected.namespace}.svc:8787`,
    snippets: {
      dask: `from dask.distributed import Client; client = Client("tcp://${scheduler}:8786")`,
      prefect: `from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="tcp://${scheduler}:8786")`,
    },
    waitingFor: [],
  });
  expect(new Date(s.createdAt).toISOString()).toBe(s.createdAt);
  expect(s.pods).toHaveLength(1 + expected.workers);
  for (const pod of s.pods) {
    expect(pod).toMatchObject({ phase: 'Running', ready: true, restarts: 0, terminating: false });
    expect(['scheduler', 'worker']).toContain(pod.component);
    expect(typeof pod.name).toBe('string');
    expect(typeof pod.node).toBe('string');
    expect(new Date(pod.createdAt).toISOString()).toBe(pod.createdAt);
    expect(pod.reason).toBeUndefined();
  }
  expect(s.pods.filter((p: { component: string }) => p.component === 'scheduler')).toHaveLength(1);
}

describe('kubectl dask status', () => {
  it('prints readiness, counts, image, addresses, snippets and pods as plain text', async () => {
    const r = await dask(['status', '-n', a.name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(hasAnsi(r.stdout)).toBe(false);
    expect(r.stdout).toMatch(/Name:\s+dask\n/);
    expect(r.stdout).toMatch(new RegExp(`Namespace:\\s+${a.name}\\n`));
    expect(r.stdout).toMatch(/Ready:\s+yes/);
    expect(r.stdout).toMatch(/Scheduler:\s+1\/1/);
    expect(r.stdout).toMatch(/Workers:\s+2\/2/);
    expect(r.stdout).toMatch(/Image:\s+ghcr\.io\/dask\/dask:\S+/);
    expect(r.stdout).toContain('tcp://dask-scheduler:8786');
    expect(r.stdout).toContain(`http://dask-scheduler.${a.name}.svc:8787`);
    expect(r.stdout).toContain('Client("tcp://dask-scheduler:8786")');
    expect(r.stdout).toContain('DaskTaskRunner(address="tcp://dask-scheduler:8786")');
    // Every pod of the cluster is listed, and only those (not etl's).
    for (const pod of await pods(a.name, 'dask')) expect(r.stdout).toContain(pod.metadata.name);
    expect(r.stdout).not.toContain('etl-');
  });

  it('-o json prints one object in the documented shape', async () => {
    const r = await dask(['status', 'etl', '-n', a.name, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expectDocumentedShape(status, { name: 'etl', namespace: a.name, workers: 1, image: status.image });
    expect(status.image).toMatch(/^ghcr\.io\/dask\/dask:/);
    const names = (await pods(a.name, 'etl')).map((p) => p.metadata.name).sort();
    expect(status.pods.map((p: { name: string }) => p.name).sort()).toEqual(names);
  });

  it('-o yaml prints the same object as YAML', async () => {
    const json = JSON.parse((await daskOk(['status', '-n', b.name, '-o', 'json'])).stdout);
    const yaml = parse((await daskOk(['status', '-n', b.name, '-o', 'yaml'])).stdout);
    expect(yaml).toEqual(json);
    expectDocumentedShape(yaml, { name: 'dask', namespace: b.name, workers: 3, image: 'registry.example.com/team/dask:1.0' });
  });
});

describe('kubectl dask list', () => {
  it('lists the clusters of the namespace as a table', async () => {
    const r = await dask(['list', '-n', a.name]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = lines(r.stdout);
    expect(header!.split(/\s+/)).toEqual(['NAME', 'READY', 'SCHEDULER', 'WORKERS', 'IMAGE', 'AGE', 'ADDRESS']);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['dask', 'etl']);
    expect(rows[0]).toMatch(/^dask\s+yes\s+1\/1\s+2\/2\s+ghcr\.io\/dask\/dask:\S+\s+\S+\s+tcp:\/\/dask-scheduler:8786$/);
    expect(rows[1]).toMatch(/^etl\s+yes\s+1\/1\s+1\/1\s+.*tcp:\/\/etl-scheduler:8786$/);
    expect(hasAnsi(r.stdout)).toBe(false);
  });

  it('-o json prints {"items": [...]} of status objects', async () => {
    const r = await dask(['list', '-n', a.name, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(Object.keys(list)).toEqual(['items']);
    expect(list.items.map((s: { name: string }) => s.name)).toEqual(['dask', 'etl']);
    expectDocumentedShape(list.items[0], { name: 'dask', namespace: a.name, workers: 2, image: list.items[0].image });
    expectDocumentedShape(list.items[1], { name: 'etl', namespace: a.name, workers: 1, image: list.items[1].image });
  });

  it('-A lists clusters of every namespace, with a NAMESPACE column', async () => {
    const r = await dask(['list', '-A']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = lines(r.stdout);
    expect(header!.split(/\s+/).slice(0, 2)).toEqual(['NAMESPACE', 'NAME']);
    // Other tests' namespaces may show up too; ours must all be there.
    const ours = rows.map((row) => row.split(/\s+/).slice(0, 2).join(' ')).filter((k) => k.startsWith(a.name) || k.startsWith(b.name));
    expect(ours.sort()).toEqual([`${a.name} dask`, `${a.name} etl`, `${b.name} dask`].sort());

    const json = JSON.parse((await daskOk(['list', '--all-namespaces', '-o', 'json'])).stdout);
    const inB = json.items.filter((s: { namespace: string }) => s.namespace === b.name);
    expect(inB).toHaveLength(1);
    expectDocumentedShape(inB[0], { name: 'dask', namespace: b.name, workers: 3, image: 'registry.example.com/team/dask:1.0' });
  });

  it('says so on stderr when the namespace has no cluster, with empty stdout and exit 0', async () => {
    await using empty = await freshNamespace('cmd-status-empty');
    const r = await dask(['list', '-n', empty.name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No Dask clusters found in namespace "${empty.name}"`);
    const json = await dask(['list', '-n', empty.name, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ items: [] });
  });
});
