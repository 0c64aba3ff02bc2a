// The documented shape of `status -o json` and `list -o json`, built from objects alone.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { type PodView, type RolloutView, clusterReadiness } from './readiness.ts';
import { DASHBOARD_PORT, LABEL, schedulerAddress, schedulerFqdnAddress, schedulerName, workerName } from './spec.ts';
import { compareText } from './order.ts';

/** A Deployment's pods as `kubectl get deploy` counts them (READY, UP-TO-DATE), and those of older
 * revisions still running: mid-rollout, ready counts old pods too. */
export interface ComponentCounts {
  ready: number;
  desired: number;
  updated: number;
  old: number;
}

export interface ClusterStatus {
  name: string;
  namespace: string;
  ready: boolean;
  scheduler: ComponentCounts;
  workers: ComponentCounts;
  image: string | null;
  createdAt: string | null;
  /** Address for pods in the same namespace, the one flows written for the recipe use. */
  address: string;
  /** Address from any namespace of the cluster. */
  fqdnAddress: string;
  dashboard: string;
  snippets: { dask: string; prefect: string };
  pods: PodView[];
  /** What is not ready yet, empty when ready. */
  waitingFor: string[];
}

export function connectionSnippets(address: string): ClusterStatus['snippets'] {
  return {
    dask: `from dask.distributed import Client; client = Client("${address}")`,
    prefect: `from prefect_dask import DaskTaskRunner; task_runner = DaskTaskRunner(address="${address}")`,
  };
}

export function clusterStatus(
  name: string,
  namespace: string,
  scheduler: V1Deployment | undefined,
  worker: V1Deployment | undefined,
  pods: V1Pod[],
): ClusterStatus {
  const r = clusterReadiness({ scheduler: schedulerName(name), worker: workerName(name) }, scheduler, worker, pods);
  const created = scheduler?.metadata?.creationTimestamp ?? worker?.metadata?.creationTimestamp;
  const address = schedulerAddress(name);
  return {
    name,
    namespace,
    ready: r.ready,
    scheduler: counts(r.scheduler),
    workers: counts(r.workers),
    image: worker?.spec?.template.spec?.containers[0]?.image ?? scheduler?.spec?.template.spec?.containers[0]?.image ?? null,
    createdAt: created ? new Date(created).toISOString() : null,
    address,
    fqdnAddress: schedulerFqdnAddress(name, namespace),
    dashboard: `http://${schedulerName(name)}.${namespace}.svc:${DASHBOARD_PORT}`,
    snippets: connectionSnippets(address),
    pods: r.pods,
    waitingFor: r.waitingFor,
  };
}

function counts({ ready, desired, updated, old }: RolloutView): ComponentCounts {
  return { ready, desired, updated, old };
}

/** Groups the Deployments and pods of many clusters (from `list`) by namespace and name. */
export function groupClusters(deployments: V1Deployment[], pods: V1Pod[]): ClusterStatus[] {
  const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;
  const groups = new Map<string, { ns: string; name: string; deployments: V1Deployment[]; pods: V1Pod[] }>();
  for (const d of deployments) {
    const name = d.metadata?.labels?.[LABEL.instance];
    const ns = d.metadata?.namespace ?? '';
    if (!name) continue;
    const k = key(ns, name);
    if (!groups.has(k)) groups.set(k, { ns, name, deployments: [], pods: [] });
    groups.get(k)!.deployments.push(d);
  }
  for (const p of pods) groups.get(key(p.metadata?.namespace, p.metadata?.labels?.[LABEL.instance]))?.pods.push(p);
  return [...groups.values()]
    .sort((a, b) => compareText(a.ns, b.ns) || compareText(a.name, b.name))
    .map((g) => {
      const byComponent = (c: string) => g.deployments.find((d) => d.metadata?.labels?.[LABEL.component] === c);
      return clusterStatus(g.name, g.ns, byComponent('scheduler'), byComponent('worker'), g.pods);
    });
}

/** Two units, the second left out when it is 0: 5m7s, 3h, 2d4h. */
function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
}

/** An age as kubectl's AGE column shows it: 90s, 5m7s, 42m, 3h20m, 30h, 2d4h, 40d, 3y12d. */
export function formatAge(from: string | null, now: Date = new Date()): string {
  if (!from) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(from).getTime()) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const years = Math.floor(days / 365);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return twoUnits(minutes, 'm', seconds % 60, 's');
  if (hours < 3) return `${minutes}m`;
  if (hours < 8) return twoUnits(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (days < 8) return twoUnits(days, 'd', hours % 24, 'h');
  if (years < 2) return `${days}d`;
  if (years < 8) return twoUnits(years, 'y', days % 365, 'd');
  return `${years}y`;
}
