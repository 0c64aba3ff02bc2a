// `up --dry-run`: the client variant prints exactly what `up` applies (so `kubectl apply -f -`
// of it gives the same objects), and the server variant asks the API server and creates nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { freshNamespace, type Namespace } from '../testbed/helpers.ts';
import { dask, daskOk, freePort, getJson, kubectl, objectNames, pluginEnv, tempDir, writeKubeconfig, yamlDocuments } from './helpers.ts';

let a: Namespace;
let b: Namespace;
beforeEach(async () => {
  a = await freshNamespace('cmd-dry-a');
  b = await freshNamespace('cmd-dry-b');
});
afterEach(async () => {
  await a?.cleanup();
  await b?.cleanup();
});

/** A shell pipeline as a user types it, with pipefail so either side failing fails it. */
function shell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { env: pluginEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const flags = ['--workers', '3', '--threads', '2', '--cpu', '250m', '--memory', '512Mi', '--env', 'A=1', '--pip', 'prefect-dask'];

/** The parts of an applied object that matter: names, labels, selectors, containers, ports,
 * probes, replicas; not what the API server assigns (uids, cluster IPs, status, annotations). */
function essentials(o: any) {
  const spec = structuredClone(o.spec);
  delete spec.clusterIP;
  delete spec.clusterIPs;
  return { kind: o.kind, name: o.metadata.name, labels: o.metadata.labels, spec };
}

async function appliedObjects(namespace: string) {
  const names = ['service/dask-scheduler', 'deployment/dask-scheduler', 'deployment/dask-worker'];
  return Promise.all(names.map(async (n) => essentials(await getJson(namespace, n))));
}

describe('kubectl dask up --dry-run', () => {
  it('-o yaml piped into kubectl apply -f - gives the same objects as up', async () => {
    const piped = await shell(`kubectl dask up --dry-run -o yaml -n ${a.name} ${flags.join(' ')} | kubectl apply -f -`);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/service\/dask-scheduler (created|configured)/);
    await daskOk(['up', '-n', b.name, ...flags]);

    const viaKubectl = await appliedObjects(a.name);
    const viaUp = await appliedObjects(b.name);
    expect(viaKubectl).toEqual(viaUp);
    // Spot checks, so an empty comparison cannot pass.
    const worker = viaUp[2]!;
    expect(worker.spec.replicas).toBe(3);
    expect(worker.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('worker');
    expect(worker.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health');
    expect(viaUp[0]!.spec.ports.map((p: { port: number }) => p.port)).toEqual([8786, 8787]);

    // What kubectl applied is a kubectl-dask cluster: up adopts it without changing a thing.
    const generations = await Promise.all(['deployment/dask-scheduler', 'deployment/dask-worker'].map(async (n) => (await getJson(a.name, n)).metadata.generation));
    const up = await dask(['up', '-n', a.name, ...flags]);
    expect(up.code, up.stderr).toBe(0);
    expect(await Promise.all(['deployment/dask-scheduler', 'deployment/dask-worker'].map(async (n) => (await getJson(a.name, n)).metadata.generation))).toEqual(generations);
  });

  it('client dry-run prints three YAML documents and makes no API call at all', async () => {
    // A kubeconfig that exists but points at a closed port: any request would fail.
    const tmp = tempDir('dry-run');
    onTestFinished(tmp.cleanup);
    const nowhere = writeKubeconfig(path.join(tmp.dir, 'kubeconfig'), { server: `https://127.0.0.1:${await freePort()}` }, { token: 'unused' });
    const r = await dask(['up', '--dry-run', '-n', a.name, '--kubeconfig', nowhere]);
    expect(r.code, r.stderr).toBe(0);
    const docs = yamlDocuments(r.stdout);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Service/dask-scheduler', 'Deployment/dask-scheduler', 'Deployment/dask-worker']);
    expect(docs.every((d) => d.metadata.namespace === a.name)).toBe(true);
    // Only the note that the worker count is a new cluster's (up keeps an existing one's).
    expect(r.stderr).toBe("note: dask-worker has 2 replicas, a new cluster's count; up keeps an existing cluster's (--dry-run=server shows it): pass --workers N to choose\n");
    expect(await objectNames(a.name)).toEqual([]);

    const json = await dask(['up', '--dry-run=client', '-o', 'json', '-n', a.name]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ apiVersion: 'v1', kind: 'List', items: docs });
    // The List is what kubectl apply takes, as it takes the YAML stream.
    const file = path.join(tmp.dir, 'dry-run.json');
    fs.writeFileSync(file, json.stdout);
    expect(await kubectl(['apply', '--dry-run=server', '-f', file])).toMatch(/deployment\.apps\/dask-worker created \(server dry run\)/);

    // Still, a --context or --kubeconfig given must be there, -n or not, as for kubectl create --dry-run=client.
    const noContext = await dask(['up', '--dry-run', '-n', a.name, '--context', 'no-such-context']);
    expect(noContext.code, noContext.stderr).toBe(2);
    expect(noContext.stderr).toMatch(/^error: context "no-such-context" not found in kubeconfig/);
    const noFile = await dask(['up', '--dry-run', '-n', a.name, '--kubeconfig', path.join(tmp.dir, 'missing')]);
    expect(noFile.code, noFile.stderr).toBe(2);
    expect(noFile.stdout).toBe('');
  });

  it('--dry-run=server prints the objects as the API server would store them and creates nothing', async () => {
    const r = await dask(['up', '--dry-run=server', '-o', 'yaml', '-n', a.name, ...flags]);
    expect(r.code, r.stderr).toBe(0);
    const docs = yamlDocuments(r.stdout);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Service/dask-scheduler', 'Deployment/dask-scheduler', 'Deployment/dask-worker']);
    // Defaulted by the server: fields the client manifests leave out.
    expect(docs[2].spec.template.spec.restartPolicy).toBe('Always');
    expect(docs[2].spec.strategy.type).toBe('RollingUpdate');
    expect(docs[2].spec.replicas).toBe(3);
    expect(docs[0].spec.clusterIP).toBeTruthy();
    expect(r.stdout).not.toContain('managedFields');

    expect(await objectNames(a.name)).toEqual([]);
  });

  it('--dry-run=server against a running cluster keeps its scaled worker count and changes nothing', async () => {
    await daskOk(['up', '-n', a.name]);
    await daskOk(['scale', '-n', a.name, '--workers', '4']);
    const before = await getJson(a.name, 'deployment/dask-worker');
    const r = await dask(['up', '--dry-run=server', '-o', 'json', '-n', a.name, '--image', 'registry.example.com/other:2']);
    expect(r.code, r.stderr).toBe(0);
    const worker = JSON.parse(r.stdout).items[2];
    expect(worker.spec.replicas).toBe(4);
    expect(worker.spec.template.spec.containers[0].image).toBe('registry.example.com/other:2');
    const after = await getJson(a.name, 'deployment/dask-worker');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.template.spec.containers[0].image).toBe(before.spec.template.spec.containers[0].image);
  });
});
