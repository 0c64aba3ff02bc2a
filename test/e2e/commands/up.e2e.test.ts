// `kubectl dask up` against the testbed: what it creates, what a user reads on stdout and
// stderr, and that running it again neither changes a thing nor undoes a `scale`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshNamespace, kubectl, type Namespace } from '../testbed/helpers.ts';
import { DEFAULT_IMAGE } from '../../../src/core/spec.ts';
import { dask, daskOk, getJson, hasAnsi, objectNames, pods, workerCounts } from './helpers.ts';

let ns: Namespace;
beforeEach(async () => {
  ns = await freshNamespace('cmd-up');
});
afterEach(async () => {
  await ns?.cleanup();
});

describe('kubectl dask up', () => {
  it('creates the scheduler Deployment and Service and two Ready workers, prints the summary on stdout and progress on stderr', async () => {
    const r = await dask(['up', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(0);

    // The result a user copies: the address the recipe's flows use, on stdout only.
    expect(r.stdout).toContain('tcp://dask-scheduler:8786');
    expect(r.stdout).toContain(`Dask cluster "dask" is ready in namespace ${ns.name} (scheduler 1/1, workers 2/2)`);
    expect(r.stdout).toContain(`tcp://dask-scheduler.${ns.name}.svc:8786`);
    expect(r.stdout).toContain('Client("tcp://dask-scheduler:8786")');
    expect(r.stdout).toContain('DaskTaskRunner(address="tcp://dask-scheduler:8786")');
    expect(r.stdout).not.toMatch(/Validate manifests|Workers ready/);
    // Progress, as plain lines (no terminal here), on stderr only.
    expect(r.stderr).toContain(`Dask cluster "dask" in namespace "${ns.name}"`);
    expect(r.stderr).toMatch(/✓ Apply scheduler Service and Deployments/);
    expect(r.stderr).toMatch(/✓ Scheduler ready/);
    expect(r.stderr).toMatch(/✓ Workers ready 2\/2/);
    expect(r.stderr).not.toContain('tcp://dask-scheduler:8786');
    expect(hasAnsi(r.stdout + r.stderr)).toBe(false);

    expect(await objectNames(ns.name)).toEqual(
      expect.arrayContaining(['deployment.apps/dask-scheduler', 'deployment.apps/dask-worker', 'service/dask-scheduler']),
    );
    const service = await getJson(ns.name, 'service/dask-scheduler');
    expect(service.spec.ports.map((p: { port: number }) => p.port).sort()).toEqual([8786, 8787]);
    expect(service.spec.selector).toEqual({
      'app.kubernetes.io/name': 'dask',
      'app.kubernetes.io/instance': 'dask',
      'app.kubernetes.io/component': 'scheduler',
    });
    const scheduler = await getJson(ns.name, 'deployment/dask-scheduler', { managedFields: true });
    expect(scheduler.status.readyReplicas).toBe(1);
    expect(scheduler.metadata.labels['app.kubernetes.io/managed-by']).toBe('kubectl-dask');
    expect(scheduler.metadata.managedFields.map((f: { manager: string }) => f.manager)).toContain('kubectl-dask');
    expect(scheduler.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['dask', 'scheduler']);
    const worker = await getJson(ns.name, 'deployment/dask-worker');
    expect(worker.spec.replicas).toBe(2);
    expect(worker.status.readyReplicas).toBe(2);
    expect(worker.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['dask', 'worker', 'tcp://dask-scheduler:8786', '--name', '$(POD_NAME)']));
    // Ready when up returns, not eventually.
    expect(await workerCounts(ns.name)).toEqual({ total: 2, ready: 2, terminating: 0 });
  });

  it('a second cluster with --name coexists with the default one in the same namespace', async () => {
    await daskOk(['up', '-n', ns.name]);
    const r = await dask(['up', '-n', ns.name, '--name', 'etl', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('tcp://etl-scheduler:8786');
    expect(r.stdout).toContain(`kubectl dask down etl -n ${ns.name}`);

    expect(await objectNames(ns.name)).toEqual(
      expect.arrayContaining([
        'deployment.apps/dask-scheduler',
        'deployment.apps/dask-worker',
        'service/dask-scheduler',
        'deployment.apps/etl-scheduler',
        'deployment.apps/etl-worker',
        'service/etl-scheduler',
      ]),
    );
    // Each Service selects only its own scheduler.
    const etl = await getJson(ns.name, 'service/etl-scheduler');
    expect(etl.spec.selector['app.kubernetes.io/instance']).toBe('etl');
    expect(await workerCounts(ns.name, 'dask')).toMatchObject({ ready: 2 });
    expect(await workerCounts(ns.name, 'etl')).toMatchObject({ ready: 1 });
  });

  it('running up again changes nothing: no new generation, no new pods, exit 0', async () => {
    await daskOk(['up', '-n', ns.name]);
    const before = {
      scheduler: await getJson(ns.name, 'deployment/dask-scheduler'),
      worker: await getJson(ns.name, 'deployment/dask-worker'),
      service: await getJson(ns.name, 'service/dask-scheduler'),
      pods: (await pods(ns.name, 'dask')).map((p) => p.metadata.name).sort(),
    };

    const r = await dask(['up', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workers 2/2');

    const scheduler = await getJson(ns.name, 'deployment/dask-scheduler');
    const worker = await getJson(ns.name, 'deployment/dask-worker');
    const service = await getJson(ns.name, 'service/dask-scheduler');
    expect(scheduler.metadata.generation).toBe(before.scheduler.metadata.generation);
    expect(worker.metadata.generation).toBe(before.worker.metadata.generation);
    expect(service.metadata.resourceVersion).toBe(before.service.metadata.resourceVersion);
    expect((await pods(ns.name, 'dask')).map((p) => p.metadata.name).sort()).toEqual(before.pods);
  });

  it('re-running up keeps the worker count set by scale; up --workers changes it', async () => {
    await daskOk(['up', '-n', ns.name]);
    await daskOk(['scale', '-n', ns.name, '--workers', '3']);

    const again = await dask(['up', '-n', ns.name]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('workers 3/3');
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(3);
    expect(await workerCounts(ns.name)).toMatchObject({ ready: 3 });

    const one = await dask(['up', '-n', ns.name, '--workers', '1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('workers 1/1');
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.replicas).toBe(1);
    expect(await workerCounts(ns.name)).toEqual({ total: 1, ready: 1, terminating: 0 });
  });

  it('up with another image rolls every pod over and returns only when no old pod is left', async () => {
    await daskOk(['up', '-n', ns.name, '--workers', '3']);
    const r = await dask(['up', '-n', ns.name, '--image', 'registry.example.com/team/dask:2', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workers 3/3');
    const all = await pods(ns.name, 'dask');
    expect(all).toHaveLength(4);
    for (const pod of all) {
      expect(pod.spec.containers[0]!.image).toBe('registry.example.com/team/dask:2');
      expect(pod.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  it('refuses to restart a running scheduler without --yes when there is no terminal to ask, naming what changes, and changes nothing', async () => {
    await daskOk(['up', '-n', ns.name, '--image', 'registry.example.com/team/dask:1', '--env', 'TOKEN=s3cret']);
    const before = { scheduler: await getJson(ns.name, 'deployment/dask-scheduler'), worker: await getJson(ns.name, 'deployment/dask-worker') };

    // Meant as a scale, but up's flags are declarative: the image and env fall back to the defaults.
    const r = await dask(['up', '-n', ns.name, '--workers', '3']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `error: refusing to restart the scheduler of Dask cluster "dask", whose pod changes (image registry.example.com/team/dask:1 -> ${DEFAULT_IMAGE}, env) without confirmation: no terminal to ask in; pass --yes`,
    );
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).not.toMatch(/Apply scheduler Service/);
    expect((await getJson(ns.name, 'deployment/dask-scheduler')).metadata.generation).toBe(before.scheduler.metadata.generation);
    expect((await getJson(ns.name, 'deployment/dask-worker')).metadata.generation).toBe(before.worker.metadata.generation);
  });

  it('asks nothing when only the workers change, or after kubectl rollout restart, whose annotation up leaves alone', async () => {
    await daskOk(['up', '-n', ns.name]);
    await kubectl(['rollout', 'restart', 'deployment/dask-scheduler', '-n', ns.name]);
    const restarted = await getJson(ns.name, 'deployment/dask-scheduler');
    const r = await dask(['up', '-n', ns.name, '--threads', '2', '--cpu', '500m', '--workers', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect((await getJson(ns.name, 'deployment/dask-scheduler')).metadata.generation).toBe(restarted.metadata.generation);
    expect((await getJson(ns.name, 'deployment/dask-worker')).spec.template.spec.containers[0].args.join(' ')).toContain('--nthreads 2');
  });

  it("shows the API server's warnings, as kubectl apply does: PodSecurity's warn mode names what restricted would refuse", async () => {
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/warn=restricted']);
    const r = await dask(['up', '-n', ns.name, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    // One for each Deployment's pods, once, though its dry run and its apply were each warned.
    const warnings = r.stderr.split('\n').filter((line) => line.includes('Warning from the API server'));
    expect(warnings).toEqual([
      expect.stringMatching(/^! Warning from the API server: would violate PodSecurity "restricted:latest": runAsNonRoot != true \(pod or container "scheduler" must set/),
      expect.stringMatching(/^! Warning from the API server: would violate PodSecurity "restricted:latest": runAsNonRoot != true \(pod or container "worker" must set/),
    ]);
  });

  it('applies --threads, --cpu/--memory, --env and --pip to the containers', async () => {
    const r = await dask(['up', '-n', ns.name, '--threads', '2', '--cpu', '500m', '--memory', '1Gi', '--env', 'DASK_LOGGING__DISTRIBUTED=debug', '--pip', 'prefect', '--pip', 'prefect-dask']);
    expect(r.code, r.stderr).toBe(0);
    const worker = (await getJson(ns.name, 'deployment/dask-worker')).spec.template.spec.containers[0];
    expect(worker.args.join(' ')).toContain('--nthreads 2');
    expect(worker.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } });
    expect(worker.env).toEqual(
      expect.arrayContaining([
        { name: 'DASK_LOGGING__DISTRIBUTED', value: 'debug' },
        { name: 'EXTRA_PIP_PACKAGES', value: 'prefect prefect-dask' },
      ]),
    );
    const scheduler = (await getJson(ns.name, 'deployment/dask-scheduler')).spec.template.spec.containers[0];
    expect(scheduler.env).toEqual(expect.arrayContaining([{ name: 'DASK_LOGGING__DISTRIBUTED', value: 'debug' }]));
  });

  it('--no-wait returns after applying, and -o json prints the status object', async () => {
    const r = await dask(['up', '-n', ns.name, '--no-wait', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ name: 'dask', namespace: ns.name, address: 'tcp://dask-scheduler:8786' });
    expect(r.stderr).not.toMatch(/Workers ready/);
    expect(await objectNames(ns.name)).toEqual(expect.arrayContaining(['deployment.apps/dask-worker']));
  });
});
