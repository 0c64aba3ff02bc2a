// `kubectl dask up`: validate everything with a server-side dry run, apply, then wait.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import { type ClusterObject, buildClusterObjects } from '../core/manifests.ts';
import type { Reporter } from '../core/progress.ts';
import { type ClusterSpec, DEFAULT_WORKERS, FIELD_MANAGER, LABEL, schedulerName, workerName } from '../core/spec.ts';
import type { ClusterStatus } from '../core/status.ts';
import { podTemplateChanges } from '../core/template-changes.ts';
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
  /** Asked with what changes in the pod of a running scheduler; false leaves everything as it is. */
  confirmRestart: (changes: string[]) => Promise<boolean>;
}

export interface UpResult {
  status?: ClusterStatus;
  cancelled: boolean;
}

function describe(o: KubernetesObject): string {
  return `${o.kind?.toLowerCase()}/${o.metadata?.name}`;
}

/** The spec to apply, and the objects it names as they are stored now (by describe()), if at all. */
async function resolveSpec(client: KubeClient, request: UpRequest): Promise<{ spec: ClusterSpec; stored: Map<string, KubernetesObject | undefined> }> {
  const { spec } = request;
  if (!(await client.namespaceExists(spec.namespace))) throw namespaceNotFound(spec.namespace, client.target);
  // Read in the typed form of writes, which a dry run's answer compares with field by field.
  const named = buildClusterObjects({ ...spec, workers: spec.workers ?? DEFAULT_WORKERS });
  const found = await Promise.all(named.map((o) => client.readAsWritten(o)));
  const stored = new Map(named.map((o, i) => [describe(o), found[i]]));
  if (!request.forceConflicts) {
    const foreign = [...stored].filter(([, o]) => o !== undefined && o.metadata?.labels?.[LABEL.managedBy] !== FIELD_MANAGER);
    if (foreign.length > 0) {
      throw new KubectlDaskError(
        `${foreign.map(([n]) => n).join(', ')} already ${foreign.length === 1 ? 'exists' : 'exist'} in namespace "${spec.namespace}" but ${foreign.length === 1 ? 'is' : 'are'} not managed by kubectl-dask: choose another --name, or pass --force-conflicts to take ${foreign.length === 1 ? 'it' : 'them'} over`,
        ExitCode.conflict,
      );
    }
  }
  // Re-applying the current replica count keeps our ownership of the field without undoing a
  // scale; leaving it out would let the API server reset it to 1.
  const worker = stored.get(`deployment/${workerName(spec.name)}`) as V1Deployment | undefined;
  return { spec: { ...spec, workers: spec.workers ?? worker?.spec?.replicas ?? DEFAULT_WORKERS }, stored };
}

/** Objects exactly as the server would store them, without applying anything. */
export async function dryRunOnServer(client: KubeClient, request: UpRequest): Promise<KubernetesObject[]> {
  const objects = buildClusterObjects((await resolveSpec(client, request)).spec);
  const results = await Promise.all(objects.map((o) => client.apply(o, { dryRun: true, force: true })));
  for (const r of results) delete r.metadata?.managedFields;
  return results;
}

/**
 * Validates every object with a server-side dry run, so an admission or validation error leaves
 * nothing half-applied, and finds what would change in the pod of a scheduler we run.
 */
async function validateAndPreview(client: KubeClient, request: UpRequest): Promise<{ objects: ClusterObject[]; created: ClusterObject[]; schedulerChanges: string[] }> {
  const { spec, stored } = await resolveSpec(client, request);
  const objects = buildClusterObjects(spec);
  const applied = await Promise.all(objects.map((o) => client.apply(o, { dryRun: true, force: true })));
  const key = `deployment/${schedulerName(spec.name)}`;
  const scheduler = stored.get(key) as V1Deployment | undefined;
  // Taking over another tool's objects (--force-conflicts) is a choice already made, and a
  // scheduler scaled to 0 runs nothing to lose.
  const ours = scheduler?.metadata?.labels?.[LABEL.managedBy] === FIELD_MANAGER;
  const running = (scheduler?.status?.replicas ?? 0) > 0;
  const planned = applied.find((o) => describe(o) === key) as V1Deployment | undefined;
  const schedulerChanges = ours && running ? podTemplateChanges(scheduler?.spec?.template, planned?.spec?.template) : [];
  const created = objects.filter((o) => stored.get(describe(o)) === undefined);
  return { objects, created, schedulerChanges };
}

/**
 * A dry run checks each object alone: a quota on the number of Deployments refuses the second
 * only when the first exists. What this run created goes again, so nothing is left half-applied.
 */
async function undoCreated(client: KubeClient, created: ClusterObject[], applied: ClusterObject[], error: unknown): Promise<never> {
  const undo = created.filter((o) => applied.includes(o));
  if (undo.length === 0 || !(error instanceof KubectlDaskError) || error.exitCode === ExitCode.interrupted) throw error;
  const left: string[] = [];
  for (const o of undo.reverse()) {
    const { namespace = '', name = '' } = o.metadata ?? {};
    try {
      if (o.kind === 'Service') await client.deleteService(namespace, name);
      else await client.deleteDeployment(namespace, name);
    } catch {
      left.push(describe(o));
    }
  }
  const note = left.length === 0 ? `nothing of this run is left: deleted ${undo.map(describe).join(', ')} again` : `left behind, delete with kubectl dask down: ${left.join(', ')}`;
  throw new KubectlDaskError(error.message, error.exitCode, [...error.details, note]);
}

export async function upCluster(client: KubeClient, request: UpRequest, reporter: () => Promise<Reporter>): Promise<UpResult> {
  const { name, namespace } = request.spec;
  const { objects, created, schedulerChanges } = await validateAndPreview(client, request);
  // A Ctrl-C during the dry run: nothing is applied, and no question follows.
  if (request.signal.aborted) throw interrupted('nothing was changed');
  if (schedulerChanges.length > 0 && !(await request.confirmRestart(schedulerChanges))) return { cancelled: true };
  // The reporter starts after the question: a live UI would hide the prompt.
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
    await reporter(),
    // What the dry run was warned of, as kubectl apply prints it: "would violate PodSecurity ...".
    // The dry runs ran at once: sorted, the lines read the same every run.
    (await client.writeWarnings()).sort().map((warning) => `from the API server: ${warning}`),
  );
  try {
    checklist.set('validate', 'done');
    checklist.set('apply', 'running');
    const applied: ClusterObject[] = [];
    for (const o of objects) {
      if (request.signal.aborted) throw interrupted();
      await client.apply(o, { force: true }).catch((error: unknown) => undoCreated(client, created, applied, error));
      applied.push(o);
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
  return { status, cancelled: false };
}
