import type { V1Container, V1Deployment, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  buildClusterObjects,
  buildSchedulerDeployment,
  buildSchedulerService,
  buildWorkerDeployment,
  type ClusterObject,
} from '../../../src/core/manifests.ts';
import { spec } from './fixtures.ts';

const container = (d: V1Deployment): V1Container => d.spec!.template.spec!.containers[0]!;
const envOf = (d: V1Deployment) => Object.fromEntries((container(d).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

/** The rule the Service and ReplicaSet controllers apply: every selector label is on the pod. */
function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

describe('object names', () => {
  it('default cluster is reachable as dask-scheduler:8786, the address flows written for the recipe use', () => {
    const [service, scheduler, worker] = buildClusterObjects(spec());
    expect(service).toMatchObject({ kind: 'Service', metadata: { name: 'dask-scheduler' } });
    expect((service as V1Service).spec!.ports!.map((p) => p.port)).toContain(8786);
    expect(scheduler).toMatchObject({ kind: 'Deployment', metadata: { name: 'dask-scheduler' } });
    expect(worker).toMatchObject({ kind: 'Deployment', metadata: { name: 'dask-worker' } });
    expect(container(worker as V1Deployment).args).toContain('tcp://dask-scheduler:8786');
  });

  it('named cluster gets <name>-scheduler and <name>-worker, all in the requested namespace', () => {
    const objects = buildClusterObjects(spec({ name: 'etl', namespace: 'data' }));
    expect(objects.map((o) => `${o.kind}/${o.metadata!.name}`)).toEqual(['Service/etl-scheduler', 'Deployment/etl-scheduler', 'Deployment/etl-worker']);
    expect(objects.every((o) => o.metadata!.namespace === 'data')).toBe(true);
  });
});

describe('scheduler Service', () => {
  it('exposes the scheduler on 8786 and the dashboard on 8787 through the container ports', () => {
    const ports = buildSchedulerService(spec()).spec!.ports!;
    const containerPorts = container(buildSchedulerDeployment(spec())).ports!;
    expect(ports.map((p) => p.port)).toEqual([8786, 8787]);
    for (const p of ports) {
      // A named targetPort must resolve to a container port with the same number.
      expect(containerPorts.find((c) => c.name === p.targetPort)?.containerPort).toBe(p.port);
    }
  });

  it('selects exactly the scheduler pods, with the same labels the Deployment selects on', () => {
    const service = buildSchedulerService(spec());
    const scheduler = buildSchedulerDeployment(spec());
    const worker = buildWorkerDeployment(spec());
    expect(service.spec!.selector).toEqual(scheduler.spec!.selector.matchLabels);
    expect(selects(service.spec!.selector!, scheduler.spec!.template.metadata!.labels)).toBe(true);
    expect(selects(service.spec!.selector!, worker.spec!.template.metadata!.labels)).toBe(false);
  });
});

describe('Deployments', () => {
  it.each([
    ['scheduler', buildSchedulerDeployment],
    ['worker', buildWorkerDeployment],
  ] as const)('%s Deployment selects its own pod template', (_, build) => {
    const d = build(spec());
    expect(selects(d.spec!.selector.matchLabels!, d.spec!.template.metadata!.labels)).toBe(true);
  });

  it('two clusters in one namespace never select each other\'s pods', () => {
    const a = buildClusterObjects(spec({ name: 'a' }));
    const b = buildClusterObjects(spec({ name: 'b' }));
    const selectors = (objects: ClusterObject[]) =>
      objects.map((o) => (o.kind === 'Service' ? (o as V1Service).spec!.selector! : (o as V1Deployment).spec!.selector.matchLabels!));
    const podLabels = (objects: ClusterObject[]) => (objects.slice(1) as V1Deployment[]).map((d) => d.spec!.template.metadata!.labels);
    for (const selector of selectors(a)) for (const labels of podLabels(b)) expect(selects(selector, labels)).toBe(false);
    for (const selector of selectors(b)) for (const labels of podLabels(a)) expect(selects(selector, labels)).toBe(false);
  });

  it('runs one scheduler and the requested number of workers', () => {
    expect(buildSchedulerDeployment(spec({ workers: 7 })).spec!.replicas).toBe(1);
    expect(buildWorkerDeployment(spec({ workers: 7 })).spec!.replicas).toBe(7);
    expect(buildWorkerDeployment(spec({ workers: 0 })).spec!.replicas).toBe(0);
  });

  it('replaces the scheduler rather than rolling it (two schedulers would split the cluster); workers roll', () => {
    expect(buildSchedulerDeployment(spec()).spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(buildWorkerDeployment(spec()).spec!.strategy).toBeUndefined();
  });

  it('puts the standard app.kubernetes.io labels on every object and on the pods', () => {
    const expected = {
      'app.kubernetes.io/name': 'dask',
      'app.kubernetes.io/instance': 'etl',
      'app.kubernetes.io/managed-by': 'kubectl-dask',
    };
    const objects = buildClusterObjects(spec({ name: 'etl' }));
    const components = objects.map((o) => o.metadata!.labels!['app.kubernetes.io/component']);
    expect(components).toEqual(['scheduler', 'scheduler', 'worker']);
    for (const o of objects) expect(o.metadata!.labels).toMatchObject(expected);
    for (const d of objects.slice(1) as V1Deployment[]) {
      expect(d.spec!.template.metadata!.labels).toMatchObject({ ...expected, 'app.kubernetes.io/component': d.metadata!.labels!['app.kubernetes.io/component'] });
    }
  });

  it('uses the requested image in both containers', () => {
    const image = 'registry.example.com/team/dask:custom';
    for (const d of [buildSchedulerDeployment(spec({ image })), buildWorkerDeployment(spec({ image }))]) expect(container(d).image).toBe(image);
  });
});

describe('scheduler container', () => {
  it('runs `dask scheduler` on 8786 with the dashboard on 8787', () => {
    const args = container(buildSchedulerDeployment(spec())).args!;
    expect(args.slice(0, 2)).toEqual(['dask', 'scheduler']);
    expect(args).toEqual(expect.arrayContaining(['--port', '8786', '--dashboard-address', ':8787']));
    expect(args[args.indexOf('--port') + 1]).toBe('8786');
  });

  it('uses neither the removed dask-scheduler executable nor --no-bokeh', () => {
    const c = container(buildSchedulerDeployment(spec()));
    const words = [...(c.command ?? []), ...(c.args ?? [])];
    expect(words).not.toContain('dask-scheduler');
    expect(words).not.toContain('--no-bokeh');
  });
});

describe('worker container', () => {
  it('connects to its own scheduler Service, named after its pod, with the requested threads', () => {
    const args = container(buildWorkerDeployment(spec({ name: 'etl', threads: 8 }))).args!;
    expect(args.slice(0, 7)).toEqual(['dask', 'worker', 'tcp://etl-scheduler:8786', '--name', '$(POD_NAME)', '--nthreads', '8']);
  });

  it('gets POD_NAME from the downward API so $(POD_NAME) expands to the pod name', () => {
    const podName = container(buildWorkerDeployment(spec())).env!.find((e) => e.name === 'POD_NAME');
    expect(podName).toEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  });
});

describe('probes', () => {
  it.each([
    ['scheduler', buildSchedulerDeployment],
    ['worker', buildWorkerDeployment],
  ] as const)('%s probes GET /health on a port the container declares as its dashboard', (_, build) => {
    const c = container(build(spec()));
    const dashboard = c.ports!.find((p) => p.name === 'http-dashboard')!.containerPort;
    expect(c.args).toContain(`:${dashboard}`);
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe?.httpGet).toEqual({ path: '/health', port: dashboard });
  });
});

describe('resources', () => {
  it('sets no resources when none are given, so the namespace defaults apply', () => {
    for (const d of buildClusterObjects(spec()).slice(1) as V1Deployment[]) expect(container(d).resources).toBeUndefined();
  });

  it('uses each given quantity as both request and limit, for workers and scheduler separately', () => {
    const s = spec({ workerResources: { cpu: '2', memory: '8Gi' }, schedulerResources: { memory: '1Gi' } });
    expect(container(buildWorkerDeployment(s)).resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    expect(container(buildSchedulerDeployment(s)).resources).toEqual({ requests: { memory: '1Gi' }, limits: { memory: '1Gi' } });
  });
});

describe('environment', () => {
  const s = spec({ env: [{ name: 'DASK_LOGGING__DISTRIBUTED', value: 'debug' }], pip: ['prefect', 'prefect-dask>=0.3'] });

  it.each([
    ['scheduler', buildSchedulerDeployment],
    ['worker', buildWorkerDeployment],
  ] as const)('--env and --pip reach the %s container', (_, build) => {
    expect(envOf(build(s))).toMatchObject({ DASK_LOGGING__DISTRIBUTED: 'debug', EXTRA_PIP_PACKAGES: 'prefect prefect-dask>=0.3' });
  });

  it('sets no EXTRA_PIP_PACKAGES without --pip, so the image starts without a pip install', () => {
    for (const d of buildClusterObjects(spec()).slice(1) as V1Deployment[]) expect(envOf(d)).not.toHaveProperty('EXTRA_PIP_PACKAGES');
  });

  it('enables the scheduler HTTP API routes that scale-down uses to retire workers', () => {
    const routes = JSON.parse(String(envOf(buildSchedulerDeployment(spec())).DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES)) as string[];
    expect(routes).toEqual(expect.arrayContaining(['distributed.http.scheduler.api', 'distributed.http.health']));
  });
});

describe('Pod Security', () => {
  /** Every [path, value] in an object tree, so a forbidden field cannot hide at any depth. */
  function leaves(value: unknown, path = ''): [string, unknown][] {
    if (value === null || typeof value !== 'object') return [[path, value]];
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }

  it('asks for nothing the baseline Pod Security level forbids', () => {
    const found = buildClusterObjects(spec({ workerResources: { cpu: '1' } })).flatMap((o) => leaves(o));
    const forbidden = found.filter(
      ([path, value]) =>
        /(^|\.)(hostPath|hostNetwork|hostPID|hostIPC|hostPort|procMount)(\.|$)/.test(path) ||
        (/\.privileged$/.test(path) && value === true) ||
        /\.capabilities\.add/.test(path),
    );
    expect(forbidden).toEqual([]);
  });

  it('drops every capability and forbids privilege escalation in both containers', () => {
    for (const d of buildClusterObjects(spec()).slice(1) as V1Deployment[]) {
      expect(container(d).securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });
});
