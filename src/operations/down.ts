// `kubectl dask down`: delete what the cluster owns (found by label) and wait for its pods.
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import type { Reporter } from '../core/progress.ts';
import { clusterSelector, connectionFlags } from '../core/spec.ts';
import type { KubeClient } from '../kube/client.ts';
import { Checklist } from './checklist.ts';
import { clusterMissing } from './cluster.ts';
import { waitForPodsGone } from './wait.ts';

export interface DownRequest {
  name: string;
  namespace: string;
  wait: boolean;
  timeoutMs: number;
  signal: AbortSignal;
  /** Asked with the objects about to be deleted; false cancels without deleting anything. */
  confirm: (objects: string[]) => Promise<boolean>;
}

export interface DownResult {
  deleted: string[];
  cancelled: boolean;
}

export async function downCluster(client: KubeClient, request: DownRequest, reporter: () => Promise<Reporter>): Promise<DownResult> {
  const { name, namespace } = request;
  const selector = clusterSelector(name);
  const [deployments, services] = await Promise.all([client.listDeployments(selector, namespace), client.listServices(selector, namespace)]);
  const targets = [
    ...deployments.map((d) => ({ kind: 'deployment', name: d.metadata?.name ?? '' })),
    ...services.map((s) => ({ kind: 'service', name: s.metadata?.name ?? '' })),
  ];
  if (targets.length === 0) throw await clusterMissing(client, name, namespace);
  const labels = targets.map((t) => `${t.kind}/${t.name}`);
  if (!(await request.confirm(labels))) return { deleted: [], cancelled: true };

  const checklist = new Checklist(
    `Delete Dask cluster "${name}" in namespace "${namespace}"`,
    [{ id: 'delete', label: `Delete ${labels.join(', ')}` }, ...(request.wait ? [{ id: 'pods', label: 'Pods terminated' }] : [])],
    await reporter(),
  );
  try {
    checklist.set('delete', 'running');
    for (const t of targets) {
      if (t.kind === 'deployment') await client.deleteDeployment(namespace, t.name);
      else await client.deleteService(namespace, t.name);
    }
    checklist.set('delete', 'done');
    if (request.wait) {
      checklist.set('pods', 'running');
      await waitForPodsGone(client, namespace, selector, {
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onProgress: (remaining) => checklist.set('pods', remaining.length === 0 ? 'done' : 'running', `${remaining.length} left`),
      }).catch((error: unknown) => {
        // Run again, down would find no cluster: what is left to watch are the pods.
        if (error instanceof KubectlDaskError && error.exitCode === ExitCode.interrupted) {
          throw interrupted(`the cluster's objects are deleted and its pods are terminating; watch them with kubectl get pods${connectionFlags(namespace, client.target)} -l ${selector}`);
        }
        throw error;
      });
    }
  } catch (error) {
    checklist.failRunning();
    throw error;
  }
  return { deleted: labels, cancelled: false };
}
