// Waiting is watch + timeout + cancellation: readiness is recomputed from the latest objects on
// every event, and a timeout names what was still missing.
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ExitCode, KubectlDaskError, interrupted } from '../core/errors.ts';
import { type ClusterReadiness, GENERATED_NAME_CHARS, clusterReadiness, describeEvents, podsAgreeWithRollouts, summarizePod } from '../core/readiness.ts';
import { LABEL, clusterSelector, connectionFlags, nameArgument, schedulerName, workerName } from '../core/spec.ts';
import type { KubeClient } from '../kube/client.ts';

export interface WaitOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/**
 * Runs the observers until one of them calls settle, the timeout passes or signal aborts; the
 * observers are always stopped before this returns.
 */
async function waitUntil<T>(
  options: WaitOptions,
  start: (signal: AbortSignal, settle: (value: T) => void) => Promise<void>[],
  onTimeout: () => KubectlDaskError,
): Promise<T> {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => stop.abort();
  try {
    return await new Promise<T>((resolve, reject) => {
      if (options.signal.aborted) return reject(interrupted());
      onAbort = () => {
        stop.abort();
        reject(interrupted());
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => reject(onTimeout()), options.timeoutMs);
      for (const observer of start(stop.signal, resolve)) observer.catch(reject);
    });
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

// The suffixes Kubernetes adds to a Deployment's ReplicaSets and pods: a name prefix alone would
// take cluster "dask-worker"'s objects (dask-worker-scheduler-...) for cluster "dask"'s.
const GENERATED_SUFFIX = `(-${GENERATED_NAME_CHARS}+){0,2}`;

function clusterEvents(name: string, since: number, events: CoreV1Event[]): string[] {
  const owned = new RegExp(`^(${schedulerName(name)}|${workerName(name)})${GENERATED_SUFFIX}$`);
  const ours = events.filter((e) => {
    const at = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    return owned.test(e.involvedObject?.name ?? '') && (!at || new Date(at).getTime() >= since);
  });
  return describeEvents(ours);
}

/** Resolves once the scheduler and every worker are rolled out and Ready. */
export function waitForCluster(
  client: KubeClient,
  namespace: string,
  name: string,
  options: WaitOptions & { onProgress: (readiness: ClusterReadiness, events: string[]) => void },
): Promise<ClusterReadiness> {
  // Events carry second precision; allow for the apply that just happened.
  const since = Date.now() - 5_000;
  const selector = clusterSelector(name);
  let deployments: V1Deployment[] = [];
  let pods: V1Pod[] = [];
  let events: string[] = [];
  let latest: ClusterReadiness | undefined;
  const evaluate = (settle: (r: ClusterReadiness) => void) => {
    const find = (c: string) => deployments.find((d) => d.metadata?.labels?.[LABEL.component] === c);
    latest = clusterReadiness({ scheduler: schedulerName(name), worker: workerName(name) }, find('scheduler'), find('worker'), pods);
    options.onProgress(latest, events);
    if (latest.ready && podsAgreeWithRollouts(latest)) settle(latest);
  };
  return waitUntil(
    options,
    (signal, settle) => [
      client.observeDeployments(namespace, selector, signal, (items) => {
        deployments = items;
        evaluate(settle);
      }),
      client.observePods(namespace, selector, signal, (items) => {
        pods = items;
        evaluate(settle);
      }),
      client.observeEvents(namespace, signal, (items) => {
        events = clusterEvents(name, since, items);
        evaluate(settle);
      }),
    ],
    () =>
      new KubectlDaskError(
        `timed out after ${formatDuration(options.timeoutMs)} waiting for Dask cluster "${name}" to be ready; raise --timeout, or inspect it with kubectl dask status${nameArgument(name)}${connectionFlags(namespace, client.target)}`,
        ExitCode.timeout,
        [...(latest?.waitingFor ?? ['no state was received from the API server']), ...events.slice(-5)],
      ),
  );
}

/** Resolves once no pod matching selector is left. */
export function waitForPodsGone(
  client: KubeClient,
  namespace: string,
  selector: string,
  options: WaitOptions & { onProgress: (remaining: string[]) => void },
): Promise<void> {
  let remaining: string[] | undefined;
  return waitUntil<void>(
    options,
    (signal, settle) => [
      client.observePods(namespace, selector, signal, (pods) => {
        remaining = pods.map((p) => summarizePod(p).name).sort();
        options.onProgress(remaining);
        if (remaining.length === 0) settle();
      }),
    ],
    () =>
      remaining === undefined
        ? new KubectlDaskError(`timed out after ${formatDuration(options.timeoutMs)} waiting for the pods to terminate: no state was received from the API server`, ExitCode.timeout)
        : new KubectlDaskError(
            `timed out after ${formatDuration(options.timeoutMs)} waiting for ${remaining.length} pod(s) to terminate; they may have finalizers or a stuck node; check with kubectl get pods${connectionFlags(namespace, client.target)} -l ${selector}`,
            ExitCode.timeout,
            remaining.map((p) => `pod ${p} still exists`),
          ),
  );
}
