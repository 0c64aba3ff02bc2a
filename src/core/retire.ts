// Which workers a scale-down removes, decided before anything changes, so the scheduler can
// retire exactly those (moving their results to the others) and the ReplicaSet deletes exactly
// their pods.
import type { V1Pod } from '@kubernetes/client-node';
import { summarizePod } from './readiness.ts';
import { compareText } from './order.ts';

/** Lower cost = deleted first by the ReplicaSet controller when replicas drop. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
export const RETIRED_COST = '-1000000';

/**
 * Picks count worker pods to remove: pods that are not Ready first (they hold no results),
 * then the newest (they have had the least time to gather results). Pods already terminating
 * are going anyway and are not counted.
 */
export function chooseWorkersToRemove(pods: V1Pod[], count: number): string[] {
  return pods
    .map(summarizePod)
    .filter((p) => !p.terminating)
    .sort((a, b) => Number(a.ready) - Number(b.ready) || compareText(b.createdAt ?? '', a.createdAt ?? '') || compareText(b.name, a.name))
    .slice(0, Math.max(0, count))
    .map((p) => p.name);
}

export interface SchedulerWorkers {
  workers: { name: string | number; address: string }[];
}

/** Scheduler addresses of the workers named (worker name = pod name); unknown names are skipped. */
export function addressesOf(known: SchedulerWorkers, names: string[]): string[] {
  const wanted = new Set(names);
  return known.workers.filter((w) => wanted.has(String(w.name))).map((w) => w.address);
}
