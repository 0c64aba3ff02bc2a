// Small builders for specs and for API objects shaped like what the API server returns, so each
// test states only the fields it is about.
import type { CoreV1Event, V1ContainerStatus, V1Deployment, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { type ClusterSpec, type Component, DEFAULT_IMAGE, DEFAULT_NAME, DEFAULT_THREADS, DEFAULT_WORKERS, componentSelector, clusterLabels, LABEL } from '../../../src/core/spec.ts';

export const CREATED = new Date('2026-09-01T10:00:00Z');

/** What `kubectl dask up -n default` builds with no other flags. */
export function spec(change: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name: DEFAULT_NAME,
    namespace: 'default',
    image: DEFAULT_IMAGE,
    workers: DEFAULT_WORKERS,
    threads: DEFAULT_THREADS,
    workerResources: {},
    schedulerResources: {},
    env: [],
    pip: [],
    ...change,
  };
}

function podLabels(cluster: string, component: Component): Record<string, string> {
  return { ...clusterLabels(cluster), [LABEL.component]: component };
}

function condition(type: string, status: 'True' | 'False', extra: Partial<V1PodCondition> = {}): V1PodCondition {
  return { type, status, lastTransitionTime: CREATED, ...extra };
}

function containerStatus(name: string, change: Partial<V1ContainerStatus>): V1ContainerStatus {
  return { name, image: DEFAULT_IMAGE, imageID: '', ready: false, restartCount: 0, started: false, ...change };
}

interface PodOptions {
  cluster?: string;
  namespace?: string;
  component?: Component;
  phase?: string;
  conditions?: V1PodCondition[];
  container?: Partial<V1ContainerStatus>;
  deletionTimestamp?: Date;
  nodeName?: string;
}

/** A pod of a Deployment as the API returns it; by default Running and Ready on a node. */
export function pod(name: string, o: PodOptions = {}): V1Pod {
  const component = o.component ?? (name.includes('-scheduler-') ? 'scheduler' : 'worker');
  const cluster = o.cluster ?? DEFAULT_NAME;
  const p: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: { ...podLabels(cluster, component), 'pod-template-hash': '5d8f7c9b4' },
      creationTimestamp: CREATED,
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp, deletionGracePeriodSeconds: 60 } : {}),
    },
    spec: { containers: [{ name: component, image: DEFAULT_IMAGE }], ...(o.nodeName === undefined ? { nodeName: 'kind-worker' } : o.nodeName ? { nodeName: o.nodeName } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.conditions ?? [condition('PodScheduled', 'True'), condition('Initialized', 'True'), condition('ContainersReady', 'True'), condition('Ready', 'True')],
      containerStatuses: [containerStatus(component, o.container ?? { ready: true, started: true, state: { running: { startedAt: CREATED } } })],
    },
  };
  return p;
}

const notReady = (reason = 'ContainersNotReady', message?: string) => [
  condition('PodScheduled', 'True'),
  condition('Initialized', 'True'),
  condition('ContainersReady', 'False', { reason, ...(message ? { message } : {}) }),
  condition('Ready', 'False', { reason, ...(message ? { message } : {}) }),
];

/** Kubelet cannot pull the image: Pending, with the waiting reason and registry message. */
export function imagePullBackOffPod(name: string): V1Pod {
  return pod(name, {
    phase: 'Pending',
    conditions: notReady('ContainersNotReady', 'containers with unready status: [worker]'),
    container: {
      image: 'ghcr.io/dask/dask:no-such-tag',
      state: {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "ghcr.io/dask/dask:no-such-tag": ErrImagePull: manifest unknown',
        },
      },
    },
  });
}

/** The container exits at start again and again: Running phase, waiting in CrashLoopBackOff. */
export function crashLoopPod(name: string): V1Pod {
  return pod(name, {
    conditions: notReady(),
    container: {
      restartCount: 5,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=worker pod=' + name } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: CREATED, finishedAt: CREATED } },
    },
  });
}

/** No node fits the requests: Pending, unscheduled, no container status at all. */
export function unschedulablePod(name: string): V1Pod {
  const p = pod(name, {
    phase: 'Pending',
    nodeName: '',
    conditions: [
      condition('PodScheduled', 'False', {
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      }),
    ],
  });
  delete p.status!.containerStatuses;
  return p;
}

/** Scheduled, image pulled, container being created: Pending without a reason worth showing. */
export function containerCreatingPod(name: string): V1Pod {
  return pod(name, {
    phase: 'Pending',
    conditions: notReady(),
    container: { state: { waiting: { reason: 'ContainerCreating' } } },
  });
}

/** A Ready pod that `kubectl delete` or a scale-down is stopping. */
export function terminatingPod(name: string): V1Pod {
  return pod(name, { deletionTimestamp: new Date('2026-09-01T11:00:00Z') });
}

interface DeploymentState {
  cluster?: string;
  namespace?: string;
  replicas?: number;
  generation?: number;
  observedGeneration?: number;
  /** Status counts; each defaults to spec.replicas (a finished rollout). */
  total?: number;
  updated?: number;
  ready?: number;
  available?: number;
  image?: string;
  created?: Date;
}

/** A Deployment as read back from the API; the defaults describe a finished rollout. */
export function deployment(component: Component, s: DeploymentState = {}): V1Deployment {
  const cluster = s.cluster ?? DEFAULT_NAME;
  const replicas = s.replicas ?? (component === 'scheduler' ? 1 : DEFAULT_WORKERS);
  const generation = s.generation ?? 1;
  const count = (n: number | undefined) => n ?? replicas;
  const status: V1Deployment['status'] = { observedGeneration: s.observedGeneration ?? generation };
  // The API server omits zero counts, as it does for a Deployment scaled to 0.
  for (const [key, n] of [
    ['replicas', count(s.total)],
    ['updatedReplicas', count(s.updated)],
    ['readyReplicas', count(s.ready)],
    ['availableReplicas', count(s.available)],
  ] as const) {
    if (n > 0) status[key] = n;
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `${cluster}-${component}`,
      namespace: s.namespace ?? 'default',
      labels: podLabels(cluster, component),
      generation,
      creationTimestamp: s.created ?? CREATED,
    },
    spec: {
      replicas,
      selector: { matchLabels: componentSelector(cluster, component) },
      template: {
        metadata: { labels: podLabels(cluster, component) },
        spec: { containers: [{ name: component, image: s.image ?? DEFAULT_IMAGE }] },
      },
    },
    status,
  };
}

export function event(type: 'Normal' | 'Warning', reason: string, message: string, lastTimestamp: Date, name = 'dask-worker-7c9b4-fghij'): CoreV1Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${lastTimestamp.getTime().toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', name, namespace: 'default' },
    type,
    reason,
    message,
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 1,
  };
}
