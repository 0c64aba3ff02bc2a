// Pure manifest builders: a validated ClusterSpec in, plain Kubernetes objects out. What
// `up --dry-run -o yaml` prints is exactly what `up` applies.
import type { V1Container, V1Deployment, V1DeploymentStrategy, V1EnvVar, V1Service } from '@kubernetes/client-node';
import {
  type ClusterSpec,
  type Component,
  type Resources,
  DASHBOARD_PORT,
  LABEL,
  SCHEDULER_PORT,
  WORKER_DASHBOARD_PORT,
  clusterLabels,
  componentSelector,
  schedulerAddress,
  schedulerName,
  workerName,
} from './spec.ts';

// The scheduler's HTTP API (retire_workers, get_workers) is off by default; scale-down asks it to
// retire workers before removing their pods, so the route list adds it to the default routes.
const SCHEDULER_HTTP_ROUTES = JSON.stringify([
  'distributed.http.scheduler.prometheus',
  'distributed.http.scheduler.info',
  'distributed.http.scheduler.json',
  'distributed.http.health',
  'distributed.http.proxy',
  'distributed.http.statics',
  'distributed.http.scheduler.api',
]);

export type ClusterObject = V1Deployment | V1Service;

function resourceRequirements(r: Resources): V1Container['resources'] {
  const amounts: Record<string, string> = {};
  if (r.cpu !== undefined) amounts.cpu = r.cpu;
  if (r.memory !== undefined) amounts.memory = r.memory;
  if (Object.keys(amounts).length === 0) return undefined;
  // Requests equal to limits: Dask sizes itself from the limit, and equal values give the pod
  // the Guaranteed QoS class, so it is the last to be evicted under memory pressure.
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function userEnv(spec: ClusterSpec): V1EnvVar[] {
  const env: V1EnvVar[] = spec.env.map(({ name, value }) => ({ name, value }));
  if (spec.pip.length > 0) env.push({ name: 'EXTRA_PIP_PACKAGES', value: spec.pip.join(' ') });
  return env;
}

// Baseline Pod Security needs nothing special; these settings also satisfy most of
// "restricted" without changing what the official image can do (it still runs as its own user).
const containerSecurityContext: V1Container['securityContext'] = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function probe(port: number, kind: 'readiness' | 'liveness') {
  return kind === 'readiness'
    ? { httpGet: { path: '/health', port }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }
    : {
        httpGet: { path: '/health', port },
        initialDelaySeconds: 15,
        periodSeconds: 20,
        timeoutSeconds: 5,
        failureThreshold: 6,
      };
}

function deployment(
  spec: ClusterSpec,
  component: Component,
  replicas: number,
  container: V1Container,
  terminationGracePeriodSeconds: number,
  strategy?: V1DeploymentStrategy,
): V1Deployment {
  const name = component === 'scheduler' ? schedulerName(spec.name) : workerName(spec.name);
  const labels = { ...clusterLabels(spec.name), [LABEL.component]: component };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: spec.namespace, labels },
    spec: {
      replicas,
      ...(strategy ? { strategy } : {}),
      selector: { matchLabels: componentSelector(spec.name, component) },
      template: {
        metadata: { labels },
        spec: {
          containers: [container],
          terminationGracePeriodSeconds,
          enableServiceLinks: false,
        },
      },
    },
  };
}

export function buildSchedulerDeployment(spec: ClusterSpec): V1Deployment {
  return deployment(
    spec,
    'scheduler',
    1,
    {
      name: 'scheduler',
      image: spec.image,
      args: ['dask', 'scheduler', '--port', String(SCHEDULER_PORT), '--dashboard-address', `:${DASHBOARD_PORT}`],
      env: [{ name: 'DASK_DISTRIBUTED__SCHEDULER__HTTP__ROUTES', value: SCHEDULER_HTTP_ROUTES }, ...userEnv(spec)],
      ports: [
        { name: 'tcp-comm', containerPort: SCHEDULER_PORT, protocol: 'TCP' },
        { name: 'http-dashboard', containerPort: DASHBOARD_PORT, protocol: 'TCP' },
      ],
      readinessProbe: probe(DASHBOARD_PORT, 'readiness'),
      livenessProbe: probe(DASHBOARD_PORT, 'liveness'),
      resources: resourceRequirements(spec.schedulerResources),
      securityContext: containerSecurityContext,
    },
    30,
    // One scheduler at a time: the default rolling update starts the new one beside the old, both
    // behind the Service, and workers and clients split between two clusters. The old one goes
    // first (Recreate would too, but an existing Deployment's defaulted rollingUpdate makes the
    // API server refuse to switch to it).
    { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
  );
}

export function buildSchedulerService(spec: ClusterSpec): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: schedulerName(spec.name),
      namespace: spec.namespace,
      labels: { ...clusterLabels(spec.name), [LABEL.component]: 'scheduler' },
    },
    spec: {
      type: 'ClusterIP',
      selector: componentSelector(spec.name, 'scheduler'),
      ports: [
        { name: 'tcp-comm', port: SCHEDULER_PORT, targetPort: 'tcp-comm', protocol: 'TCP' },
        { name: 'http-dashboard', port: DASHBOARD_PORT, targetPort: 'http-dashboard', protocol: 'TCP' },
      ],
    },
  };
}

export function buildWorkerDeployment(spec: ClusterSpec): V1Deployment {
  return deployment(
    spec,
    'worker',
    spec.workers,
    {
      name: 'worker',
      image: spec.image,
      args: [
        'dask',
        'worker',
        schedulerAddress(spec.name),
        // Worker name = pod name, so logs, the dashboard and retirement all speak of the same thing.
        '--name',
        '$(POD_NAME)',
        '--nthreads',
        String(spec.threads),
        '--dashboard-address',
        `:${WORKER_DASHBOARD_PORT}`,
        '--memory-limit',
        'auto',
        '--death-timeout',
        '60',
      ],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, ...userEnv(spec)],
      ports: [{ name: 'http-dashboard', containerPort: WORKER_DASHBOARD_PORT, protocol: 'TCP' }],
      readinessProbe: probe(WORKER_DASHBOARD_PORT, 'readiness'),
      livenessProbe: probe(WORKER_DASHBOARD_PORT, 'liveness'),
      resources: resourceRequirements(spec.workerResources),
      securityContext: containerSecurityContext,
    },
    // Long enough for a worker to hand its in-memory results back when it is stopped.
    60,
  );
}

/** All objects of a cluster, in the order they are applied. */
export function buildClusterObjects(spec: ClusterSpec): ClusterObject[] {
  return [buildSchedulerService(spec), buildSchedulerDeployment(spec), buildWorkerDeployment(spec)];
}
