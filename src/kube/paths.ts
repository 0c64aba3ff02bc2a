// API paths of what we read with kube/requests.ts, in one place so tests can name them.
import type { StreamWindow } from '../core/logs.ts';

export interface PodLogRequest extends StreamWindow {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
}

/** Path and query of the log API; timestamps on every line, so a dropped stream can resume. */
export function podLogPath(request: PodLogRequest): string {
  const query = new URLSearchParams({ container: request.container, follow: String(request.follow), timestamps: 'true' });
  if (request.sinceTime !== undefined) query.set('sinceTime', request.sinceTime);
  if (request.sinceSeconds !== undefined) query.set('sinceSeconds', String(request.sinceSeconds));
  if (request.tailLines !== undefined) query.set('tailLines', String(request.tailLines));
  return `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log?${query}`;
}

/** The core API ("/api/v1") or a group version ("/apis/apps/v1"). */
export type ApiRoot = '/api/v1' | `/apis/${string}/${string}`;

/** A collection in namespace, or across all namespaces when it is undefined. */
export function collectionPath(api: ApiRoot, resource: string, namespace: string | undefined): string {
  return namespace === undefined ? `${api}/${resource}` : `${api}/namespaces/${encodeURIComponent(namespace)}/${resource}`;
}

/** A list request for a collection, optionally narrowed by a label selector. */
export function listPath(api: ApiRoot, resource: string, namespace: string | undefined, labelSelector?: string): string {
  const path = collectionPath(api, resource, namespace);
  return labelSelector === undefined ? path : `${path}?${new URLSearchParams({ labelSelector })}`;
}

/** One named object, e.g. a Deployment, or a Namespace when namespace is undefined. */
export function objectPath(api: ApiRoot, resource: string, namespace: string | undefined, name: string): string {
  return `${collectionPath(api, resource, namespace)}/${encodeURIComponent(name)}`;
}
