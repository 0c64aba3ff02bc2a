// `kubectl dask scale`: change the worker count through the scale subresource, then wait.
import type { Reporter } from '../core/progress.ts';
import { workerName } from '../core/spec.ts';
import type { ClusterStatus } from '../core/status.ts';
import type { KubeClient } from '../kube/client.ts';
import { Checklist } from './checklist.ts';
import { clusterNotFound, readClusterStatus } from './cluster.ts';
import { waitForCluster } from './wait.ts';

export interface ScaleRequest {
  name: string;
  namespace: string;
  workers: number;
  wait: boolean;
  timeoutMs: number;
  signal: AbortSignal;
}

export async function scaleCluster(client: KubeClient, request: ScaleRequest, reporter: Reporter): Promise<ClusterStatus> {
  const { name, namespace, workers } = request;
  const worker = await client.getDeployment(namespace, workerName(name));
  if (!worker) throw clusterNotFound(name, namespace);
  const from = worker.spec?.replicas ?? 1;
  const checklist = new Checklist(
    `Scale Dask cluster "${name}" in namespace "${namespace}" from ${from} to ${workers} worker(s)`,
    [{ id: 'scale', label: `Set ${workerName(name)} replicas to ${workers}` }, ...(request.wait ? [{ id: 'scheduler', label: 'Scheduler ready' }, { id: 'workers', label: 'Workers ready' }] : [])],
    reporter,
  );
  try {
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
  if (!status) throw clusterNotFound(name, namespace);
  return status;
}
