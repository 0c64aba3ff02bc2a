// `kubectl dask scale`: change the worker count through the scale subresource, then wait. A
// scale-down first has the scheduler retire the workers that will go (their results move to the
// workers that stay) and marks exactly those pods for deletion, so no finished work is lost.
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import type { Reporter } from '../core/progress.ts';
import { POD_DELETION_COST, RETIRED_COST, type SchedulerWorkers, addressesOf, chooseWorkersToRemove } from '../core/retire.ts';
import { componentSelector, labelSelector, connectionFlags, nameFlag, schedulerName, workerName } from '../core/spec.ts';
import type { ClusterStatus } from '../core/status.ts';
import type { KubeClient } from '../kube/client.ts';
import { Checklist } from './checklist.ts';
import { clusterMissing, readClusterStatus } from './cluster.ts';
import { pickTarget } from './port-forward.ts';
import { callSchedulerApi } from './scheduler-api.ts';
import { waitForCluster } from './wait.ts';

export interface ScaleRequest {
  name: string;
  namespace: string;
  workers: number;
  wait: boolean;
  timeoutMs: number;
  /** Scale down even when the scheduler cannot retire the workers first. */
  force: boolean;
  signal: AbortSignal;
}

/** The retirement was asked for and then failed: the scheduler may be retiring the workers anyway. */
class RetireRequestFailed extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

// A listing a live scheduler answers at once; a retirement moves the workers' results first. Both
// within the command's --timeout: a hung scheduler held `scale --force` for a minute.
const LIST_TIMEOUT_MS = 10_000;
const RETIRE_TIMEOUT_MS = 60_000;

/** Asks the scheduler to retire the named workers; returns how many it knew. */
async function retireWorkers(client: KubeClient, namespace: string, cluster: string, names: string[], signal: AbortSignal, timeoutMs: number): Promise<number> {
  const schedulers = await client.listPods(labelSelector(componentSelector(cluster, 'scheduler')), namespace);
  const pod = pickTarget(schedulers, undefined);
  if (!pod) throw new Error('no Ready scheduler pod');
  const target = { namespace, pod };
  const known = await callSchedulerApi<SchedulerWorkers>(client, target, 'GET', '/api/v1/get_workers', undefined, signal, Math.min(LIST_TIMEOUT_MS, timeoutMs));
  const addresses = addressesOf(known, names);
  if (addresses.length === 0) return 0;
  try {
    await callSchedulerApi(client, target, 'POST', '/api/v1/retire_workers', { workers: addresses }, signal, Math.min(RETIRE_TIMEOUT_MS, timeoutMs));
  } catch (error) {
    throw new RetireRequestFailed(error);
  }
  return addresses.length;
}

/** No worker Deployment: no cluster at all, or one whose worker Deployment was deleted by hand, which up recreates. */
async function workerDeploymentMissing(client: KubeClient, name: string, namespace: string): Promise<KubectlDaskError> {
  if (!(await client.getDeployment(namespace, schedulerName(name)))) return clusterMissing(client, name, namespace);
  return new KubectlDaskError(
    `Dask cluster "${name}" in namespace "${namespace}" has no worker Deployment ${workerName(name)}: recreate it with kubectl dask up${nameFlag(name)}${connectionFlags(namespace, client.target)} --workers N`,
    ExitCode.notFound,
  );
}

export async function scaleCluster(client: KubeClient, request: ScaleRequest, reporter: Reporter): Promise<ClusterStatus> {
  const { name, namespace, workers } = request;
  const worker = await client.getDeployment(namespace, workerName(name));
  if (!worker) throw await workerDeploymentMissing(client, name, namespace);
  const from = worker.spec?.replicas ?? 1;
  const shrinking = workers < from;
  const checklist = new Checklist(
    `Scale Dask cluster "${name}" in namespace "${namespace}" from ${from} to ${workers} worker(s)`,
    [
      ...(shrinking ? [{ id: 'retire', label: `Retire ${from - workers} worker(s) on the scheduler, keeping their results` }] : []),
      { id: 'scale', label: `Set ${workerName(name)} replicas to ${workers}` },
      ...(request.wait ? [{ id: 'scheduler', label: 'Scheduler ready' }, { id: 'workers', label: 'Workers ready' }] : []),
    ],
    reporter,
  );
  try {
    if (shrinking) {
      checklist.set('retire', 'running');
      const pods = await client.listPods(labelSelector(componentSelector(name, 'worker')), namespace);
      const leaving = chooseWorkersToRemove(pods, from - workers);
      let retired: number;
      try {
        retired = await retireWorkers(client, namespace, name, leaving, request.signal, request.timeoutMs);
      } catch (error) {
        if (request.signal.aborted) throw interrupted();
        const cause = error instanceof RetireRequestFailed ? error.reason : error;
        // Not allowed to forward to the scheduler: what the user needs is the permission.
        if (!request.force && cause instanceof KubectlDaskError && cause.exitCode === ExitCode.forbidden) throw cause;
        const why = cause instanceof Error ? cause.message : String(cause);
        if (!request.force) {
          const state =
            error instanceof RetireRequestFailed
              ? 'the scheduler may be retiring them, but no pod and not the worker count were changed'
              : 'nothing was changed';
          throw new KubectlDaskError(
            `cannot reach the Dask scheduler to retire workers before scaling down (${why}); ${state}. Retry, or pass --force to scale down without retiring (results held by removed workers are then recomputed or lost)`,
            ExitCode.unreachable,
          );
        }
        checklist.set('retire', 'failed', `skipped (--force): ${why}`);
        retired = -1;
      }
      if (request.signal.aborted) throw interrupted();
      // The ReplicaSet removes the cheapest pods first: exactly the retired ones. A mark left on
      // another pod by an earlier scale-down that failed would make it go first instead.
      for (const pod of pods) {
        const podName = pod.metadata?.name ?? '';
        if (leaving.includes(podName)) await client.annotatePod(namespace, podName, { [POD_DELETION_COST]: RETIRED_COST });
        else if (pod.metadata?.annotations?.[POD_DELETION_COST] !== undefined) await client.annotatePod(namespace, podName, { [POD_DELETION_COST]: null });
      }
      // Workers the scheduler did not know (not connected yet, or gone) hold no results to keep.
      if (retired > 0) checklist.set('retire', 'done', `${retired} retired: ${leaving.join(', ')}`);
      else if (retired === 0) checklist.set('retire', 'done', `none to retire: the scheduler knows none of ${leaving.join(', ')}`);
    }
    if (request.signal.aborted) throw interrupted();
    checklist.set('scale', 'running');
    await client.scaleDeployment(namespace, workerName(name), workers);
    checklist.set('scale', 'done');
    if (request.wait) {
      await waitForCluster(client, namespace, name, { timeoutMs: request.timeoutMs, signal: request.signal, onProgress: (r, e) => checklist.showReadiness(r, e) });
    }
  } catch (error) {
    checklist.failRunning();
    throw error;
  }
  const status = await readClusterStatus(client, namespace, name);
  if (!status) throw await clusterMissing(client, name, namespace);
  return status;
}
