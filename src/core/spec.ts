// What a user asks for, after validation: the single input of the manifest builders.

export interface Resources {
  /** Kubernetes quantity used as both request and limit, e.g. "1" or "500m". */
  cpu?: string;
  /** Kubernetes quantity used as both request and limit, e.g. "4Gi". */
  memory?: string;
}

export interface EnvVar {
  name: string;
  value: string;
}

export interface ClusterSpec {
  name: string;
  namespace: string;
  image: string;
  /** Worker replicas to apply. */
  workers: number;
  threads: number;
  workerResources: Resources;
  schedulerResources: Resources;
  env: EnvVar[];
  /** Extra pip packages the official image installs at start (EXTRA_PIP_PACKAGES). */
  pip: string[];
}

export const DEFAULT_NAME = 'dask';
export const DEFAULT_WORKERS = 2;
// The recipe this tool replaces ran workers with 4 threads; keep that behaviour.
export const DEFAULT_THREADS = 4;
export const DASK_VERSION = '2026.8.0';
export const DEFAULT_IMAGE = `ghcr.io/dask/dask:${DASK_VERSION}`;
export const FIELD_MANAGER = 'kubectl-dask';

export const SCHEDULER_PORT = 8786;
export const DASHBOARD_PORT = 8787;
// Workers pick a random dashboard port unless told; the health probe needs a fixed one.
export const WORKER_DASHBOARD_PORT = 8788;

export function schedulerName(cluster: string): string {
  return `${cluster}-scheduler`;
}

export function workerName(cluster: string): string {
  return `${cluster}-worker`;
}

export type Component = 'scheduler' | 'worker';

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export function clusterLabels(cluster: string): Record<string, string> {
  return { [LABEL.name]: 'dask', [LABEL.instance]: cluster, [LABEL.managedBy]: FIELD_MANAGER };
}

/** Labels selecting the pods of one component; also the Deployments' immutable selectors. */
export function componentSelector(cluster: string, component: Component): Record<string, string> {
  return { [LABEL.name]: 'dask', [LABEL.instance]: cluster, [LABEL.component]: component };
}

export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Selects every object of one cluster, or of all kubectl-dask clusters when cluster is omitted. */
export function clusterSelector(cluster?: string): string {
  const labels: Record<string, string> = { [LABEL.name]: 'dask', [LABEL.managedBy]: FIELD_MANAGER };
  if (cluster !== undefined) labels[LABEL.instance] = cluster;
  return labelSelector(labels);
}

/** The address pods in the same namespace (and flows written for the recipe) use. */
export function schedulerAddress(cluster: string): string {
  return `tcp://${schedulerName(cluster)}:${SCHEDULER_PORT}`;
}

export function schedulerFqdnAddress(cluster: string, namespace: string): string {
  return `tcp://${schedulerName(cluster)}.${namespace}.svc:${SCHEDULER_PORT}`;
}

/** The cluster's name as a suggested up's --name (up takes it as a flag): none for the default cluster. */
export function nameFlag(name: string): string {
  return name === DEFAULT_NAME ? '' : ` --name ${name}`;
}

/** The cluster's name as a suggested command's argument: none for the default cluster. */
export function nameArgument(name: string): string {
  return name === DEFAULT_NAME ? '' : ` ${name}`;
}

/** Where a command ran: the flags that chose its kubeconfig and context, and that context's namespace. */
export interface CommandTarget {
  kubeconfig?: string;
  context?: string;
  contextNamespace?: string;
}

/**
 * The connection flags a suggested command needs to act where this one did: --kubeconfig and
 * --context when they were given, and -n unless the namespace is that context's (always when
 * that is unknown), so a pasted command never acts on a same-named cluster elsewhere. Without a
 * namespace, for commands that take none (list -A, create namespace), only the first two.
 */
export function connectionFlags(namespace: string | undefined, target: CommandTarget): string {
  const flags = [
    ...(target.kubeconfig === undefined ? [] : ['--kubeconfig', target.kubeconfig]),
    ...(target.context === undefined ? [] : ['--context', target.context]),
    ...(namespace === undefined || namespace === target.contextNamespace ? [] : ['-n', namespace]),
  ];
  return flags.map((word) => ` ${shellWord(word)}`).join('');
}

/** A word as a shell reads it back: quoted only when it holds something the shell would split or expand. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
