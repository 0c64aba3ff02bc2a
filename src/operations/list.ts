import { clusterSelector } from '../core/spec.ts';
import { type ClusterStatus, groupClusters } from '../core/status.ts';
import type { KubeClient } from '../kube/client.ts';

/** Every kubectl-dask cluster in namespace, or in all namespaces when it is undefined. */
export async function listClusters(client: KubeClient, namespace: string | undefined): Promise<ClusterStatus[]> {
  const selector = clusterSelector();
  const [deployments, pods] = await Promise.all([client.listDeployments(selector, namespace), client.listPods(selector, namespace)]);
  return groupClusters(deployments, pods);
}
