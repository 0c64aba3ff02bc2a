// API paths of what we read with kube/requests.ts, in one place so tests can name them.
import type { StreamWindow } from '../core/logs.ts';

export interface PodLogRequest extends StreamWindow {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  /** The log of the container's previous instance, as kubectl logs --previous. */
  previous?: boolean;
}

/** Path and query of the log API; timestamps on every line, so a dropped stream can resume. */
export function podLogPath(request: PodLogRequest): string {
  const query = queryString({
    container: request.container,
    follow: String(request.follow),
    previous: request.previous ? 'true' : undefined,
    timestamps: 'true',
    sinceTime: request.sinceTime,
    sinceSeconds: request.sinceSeconds?.toString(),
    tailLines: request.tailLines?.toString(),
  });
  return `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log?${query}`;
}

/**
 * The query of a request, leaving out undefined values. Not URLSearchParams: its first use took
 * 0.5 to 2 ms of a `status` (Node loads and compiles its querystring code then).
 */
function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
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
  return labelSelector === undefined ? path : `${path}?${queryString({ labelSelector })}`;
}

/** One named object, e.g. a Deployment, or a Namespace when namespace is undefined. */
export function objectPath(api: ApiRoot, resource: string, namespace: string | undefined, name: string): string {
  return `${collectionPath(api, resource, namespace)}/${encodeURIComponent(name)}`;
}
