// Reads one cluster's objects and turns them into the status shape.
import { ExitCode, KubectlDaskError } from '../core/errors.ts';
import { type ClusterStatus, clusterStatus } from '../core/status.ts';
import { type CommandTarget, LABEL, clusterSelector, connectionFlags, nameFlag } from '../core/spec.ts';
import type { KubeClient } from '../kube/client.ts';

export function namespaceNotFound(namespace: string, target: CommandTarget): KubectlDaskError {
  return new KubectlDaskError(
    `namespace "${namespace}" not found: create it with kubectl create namespace ${namespace}${connectionFlags(undefined, target)}, or pick another with -n`,
    ExitCode.notFound,
  );
}

/** The error for a cluster none of whose objects exist: its whole namespace may be what is missing. */
export async function clusterMissing(client: KubeClient, name: string, namespace: string): Promise<KubectlDaskError> {
  return (await client.namespaceExists(namespace)) ? clusterNotFound(name, namespace, client.target) : namespaceNotFound(namespace, client.target);
}

function clusterNotFound(name: string, namespace: string, target: CommandTarget): KubectlDaskError {
  return new KubectlDaskError(
    `Dask cluster "${name}" not found in namespace "${namespace}": create it with kubectl dask up${nameFlag(name)}${connectionFlags(namespace, target)}, or list clusters with kubectl dask list -A${connectionFlags(undefined, target)}`,
    ExitCode.notFound,
  );
}

/** The cluster's status, or undefined when none of its Deployments exist. */
export async function readClusterStatus(client: KubeClient, namespace: string, name: string): Promise<ClusterStatus | undefined> {
  const selector = clusterSelector(name);
  const [deployments, pods] = await Promise.all([client.listDeployments(selector, namespace), client.listPods(selector, namespace)]);
  if (deployments.length === 0) return undefined;
  const find = (c: string) => deployments.find((d) => d.metadata?.labels?.[LABEL.component] === c);
  return clusterStatus(name, namespace, find('scheduler'), find('worker'), pods);
}
