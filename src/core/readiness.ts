// Readiness is a pure function of the last objects seen, so waiting (watch + timeout) and
// rendering share it, and a timeout can say exactly what was still missing.
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { type Component, LABEL } from './spec.ts';
import { compareText } from './order.ts';

export interface PodView {
  name: string;
  component: Component | 'unknown';
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why the pod is not Ready, when Kubernetes says: ImagePullBackOff, Unschedulable, ... */
  reason?: string;
  message?: string;
  node?: string;
  createdAt?: string;
  terminating: boolean;
}

export interface RolloutView {
  deployment: string;
  exists: boolean;
  desired: number;
  ready: number;
  updated: number;
  /** Pods of older revisions still running. */
  old: number;
  rolledOut: boolean;
  /** Why the Deployment cannot create its pods (a quota, admission), as its ReplicaFailure condition says. */
  failure?: string;
}

export function summarizePod(pod: V1Pod): PodView {
  const status = pod.status ?? {};
  const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  const component = pod.metadata?.labels?.[LABEL.component];
  const view: PodView = {
    name: pod.metadata?.name ?? '',
    component: component === 'scheduler' || component === 'worker' ? component : 'unknown',
    phase: status.phase ?? 'Pending',
    ready,
    restarts,
    terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
  };
  if (pod.spec?.nodeName) view.node = pod.spec.nodeName;
  if (pod.metadata?.creationTimestamp) view.createdAt = new Date(pod.metadata.creationTimestamp).toISOString();
  const waiting = statuses.find((s) => s.state?.waiting?.reason && s.state.waiting.reason !== 'ContainerCreating');
  const terminated = statuses.find((s) => s.state?.terminated?.reason);
  const unscheduled = (status.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (waiting?.state?.waiting) {
    view.reason = waiting.state.waiting.reason;
    if (waiting.state.waiting.message) view.message = waiting.state.waiting.message;
  } else if (terminated?.state?.terminated && !ready) {
    view.reason = terminated.state.terminated.reason;
    if (terminated.state.terminated.message) view.message = terminated.state.terminated.message;
  } else if (unscheduled) {
    view.reason = unscheduled.reason ?? 'Unschedulable';
    if (unscheduled.message) view.message = unscheduled.message;
  }
  return view;
}

/** Like `kubectl rollout status`, stricter on scale-down: the controller saw the newest spec,
 * exactly the desired replicas exist, all run it and all are ready. */
export function summarizeRollout(name: string, d: V1Deployment | undefined): RolloutView {
  if (!d) return { deployment: name, exists: false, desired: 0, ready: 0, updated: 0, old: 0, rolledOut: false };
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const total = s.replicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const observed = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  // Events that said so may be older than a wait looks back; the condition stays while it holds.
  const failed = s.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  return {
    ...(failed ? { failure: `${failed.reason ?? 'ReplicaFailure'}: ${failed.message ?? ''}`.trim() } : {}),
    deployment: name,
    exists: true,
    desired,
    ready,
    updated,
    old: Math.max(0, total - updated),
    // total must come down to desired too: right after a scale-down the surplus pods still count.
    rolledOut: observed && updated === desired && total === desired && ready >= desired && (s.availableReplicas ?? 0) >= desired,
  };
}

export interface ClusterReadiness {
  ready: boolean;
  scheduler: RolloutView;
  workers: RolloutView;
  pods: PodView[];
  /** Human lines naming what is still missing, empty when ready. */
  waitingFor: string[];
}

export function clusterReadiness(
  names: { scheduler: string; worker: string },
  scheduler: V1Deployment | undefined,
  worker: V1Deployment | undefined,
  pods: V1Pod[],
): ClusterReadiness {
  const s = summarizeRollout(names.scheduler, scheduler);
  const w = summarizeRollout(names.worker, worker);
  const views = pods.map(summarizePod).sort((a, b) => compareText(a.component, b.component) || compareText(a.name, b.name));
  const waitingFor: string[] = [];
  for (const r of [s, w]) {
    if (!r.exists) waitingFor.push(`deployment ${r.deployment} does not exist`);
    else if (!r.rolledOut) {
      const extra = r.old > 0 ? `, ${r.old} old pod(s) still running` : '';
      waitingFor.push(`deployment ${r.deployment}: ${r.ready}/${r.desired} ready, ${r.updated} updated${extra}`);
      if (r.failure) waitingFor.push(`deployment ${r.deployment}: ${r.failure}`);
    }
  }
  if (waitingFor.length > 0) {
    for (const p of views) {
      if (p.ready || p.terminating) continue;
      const why = p.reason ? `${p.reason}${p.message ? `: ${p.message}` : ''}` : p.phase;
      waitingFor.push(`pod ${p.name} not Ready (${why})`);
    }
  }
  return { ready: waitingFor.length === 0, scheduler: s, workers: w, pods: views, waitingFor };
}

/**
 * Whether the pods seen include as many Ready ones as each rolled-out Deployment counts. While
 * waiting, Deployments and pods arrive on separate watches and either can be ahead, so a wait
 * that ended on the Deployments alone could leave a pod table that still shows no Ready pods.
 */
export function podsAgreeWithRollouts(r: ClusterReadiness): boolean {
  const readyPods = (component: Component) => r.pods.filter((p) => p.component === component && p.ready && !p.terminating).length;
  return readyPods('scheduler') >= r.scheduler.desired && readyPods('worker') >= r.workers.desired;
}

/**
 * Warning events worth showing while waiting, as one line each, oldest first, each warning once:
 * the scheduler records a pod's FailedScheduling twice (the event and its series), a kubelet
 * repeats BackOff under new names, and a ReplicaSet refused by a quota records FailedCreate for
 * every pod name it tried, later "(combined from similar events)".
 */
export function describeEvents(events: CoreV1Event[]): string[] {
  const lines = new Map<string, string>();
  const sorted = events.filter((e) => e.type === 'Warning').sort((a, b) => eventTime(a) - eventTime(b));
  for (const e of sorted) {
    const object = e.involvedObject?.name ?? '';
    const message = (e.message ?? '').trim().replace(COMBINED, '');
    const line = `${e.involvedObject?.kind ?? 'Object'} ${object}: ${e.reason ?? ''}: ${message}`;
    const key = object ? line.replaceAll(generatedFrom(object), `${object}-*`) : line;
    if (!lines.has(key)) lines.set(key, line);
  }
  return [...lines.values()];
}

const COMBINED = /^\(combined from similar events\): /;

/** The characters of the random suffixes Kubernetes gives generated names (ReplicaSets, pods). */
export const GENERATED_NAME_CHARS = '[bcdfghjklmnpqrstvwxz2456789]';

/** Names the API server generates from an object's name (generateName), as a ReplicaSet's pods. */
function generatedFrom(object: string): RegExp {
  return new RegExp(`${object.replaceAll('.', '\\.')}-${GENERATED_NAME_CHARS}{5}\\b`, 'g');
}

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}
