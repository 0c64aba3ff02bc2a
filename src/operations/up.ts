// `kubectl dask up`: validate everything with a server-side dry run, apply, then wait.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import { type ClusterObject, buildClusterObjects } from '../core/manifests.ts';
import type { Reporter } from '../core/progress.ts';
import { type ClusterSpec, DEFAULT_WORKERS, FIELD_MANAGER, LABEL, schedulerName, workerName } from '../core/spec.ts';
import type { ClusterStatus } from '../core/status.ts';
import type { KubeClient } from '../kube/client.ts';
import { Checklist } from './checklist.ts';
import { namespaceNotFound, readClusterStatus } from './cluster.ts';
import { waitForCluster } from './wait.ts';

export interface UpRequest {
  /** workers undefined keeps the current replicas of an existing cluster (a `scale` survives). */
  spec: Omit<ClusterSpec, 'workers'> & { workers?: number };
  wait: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
  signal: AbortSignal;
}

function describe(o: KubernetesObject): string {
  return `${o.kind?.toLowerCase()}/${o.metadata?.name}`;
}

async function resolveSpec(client: KubeClient, request: UpRequest): Promise<ClusterSpec> {
  const { spec } = request;
  if (!(await client.namespaceExists(spec.namespace))) throw namespaceNotFound(spec.namespace);
  const [scheduler, service, worker] = await Promise.all([
    client.getDeployment(spec.namespace, schedulerName(spec.name)),
    client.getService(spec.namespace, schedulerName(spec.name)),
    client.getDeployment(spec.namespace, workerName(spec.name)),
  ]);
  if (!request.forceConflicts) {
    const existing = { [`deployment/${schedulerName(spec.name)}`]: scheduler, [`service/${schedulerName(spec.name)}`]: service, [`deployment/${workerName(spec.name)}`]: worker };
    const foreign = Object.entries(existing).filter(([, o]) => o !== undefined && o.metadata?.labels?.[LABEL.managedBy] !== FIELD_MANAGER);
    if (foreign.length > 0) {
      throw new KubectlDaskError(
        `${foreign.map(([n]) => n).join(', ')} already ${foreign.length === 1 ? 'exists' : 'exist'} in namespace "${spec.namespace}" but ${foreign.length === 1 ? 'is' : 'are'} not managed by kubectl-dask: choose another --name, or pass --force-conflicts to take ${foreign.length === 1 ? 'it' : 'them'} over`,
        ExitCode.conflict,
      );
    }
  }
  // Re-applying the current replica count keeps our ownership of the field without undoing a
  // scale; leaving it out would let the API server reset it to 1.
  return { ...spec, workers: spec.workers ?? worker?.spec?.replicas ?? DEFAULT_WORKERS };
}

/** Objects exactly as the server would store them, without applying anything. */
export async function dryRunOnServer(client: KubeClient, request: UpRequest): Promise<KubernetesObject[]> {
  const objects = buildClusterObjects(await resolveSpec(client, request));
  const results = await Promise.all(objects.map((o) => client.apply(o, { dryRun: true, force: true })));
  for (const r of results) delete r.metadata?.managedFields;
  return results;
}

export async function upCluster(client: KubeClient, request: UpRequest, reporter: Reporter): Promise<ClusterStatus> {
  const { name, namespace } = request.spec;
  const objects: ClusterObject[] = [];
  const checklist = new Checklist(
    `Dask cluster "${name}" in namespace "${namespace}" (context ${client.context})`,
    [
      { id: 'validate', label: 'Validate manifests with the API server' },
      { id: 'apply', label: 'Apply scheduler Service and Deployments' },
      ...(request.wait
        ? [
            { id: 'scheduler', label: 'Scheduler ready' },
            { id: 'workers', label: 'Workers ready' },
          ]
        : []),
    ],
    reporter,
  );
  try {
    checklist.set('validate', 'running');
    objects.push(...buildClusterObjects(await resolveSpec(client, request)));
    // A dry run of every object first, so an admission or validation error leaves nothing
    // half-applied.
    await Promise.all(objects.map((o) => client.apply(o, { dryRun: true, force: true })));
    checklist.set('validate', 'done');
    checklist.set('apply', 'running');
    for (const o of objects) {
      if (request.signal.aborted) throw interrupted();
      await client.apply(o, { force: true });
      checklist.set('apply', 'running', `applied ${describe(o)}`);
    }
    checklist.set('apply', 'done', objects.map(describe).join(', '));
    if (request.wait) {
      await waitForCluster(client, namespace, name, {
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onProgress: (r, events) => checklist.showReadiness(r, events),
      });
    }
  } catch (error) {
    checklist.failRunning();
    throw error;
  }
  const status = await readClusterStatus(client, namespace, name);
  if (!status) throw new KubectlDaskError(`Dask cluster "${name}" disappeared while it was being created`, ExitCode.failure);
  return status;
}
