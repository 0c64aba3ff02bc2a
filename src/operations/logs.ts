// `kubectl dask logs`: one stream per container of every selected pod, each with its own abort
// and resume cursor. With --follow a pod watch starts streams for pods that appear or restart
// and stops those of deleted pods; a dropped stream reconnects with backoff from the last
// timestamp printed. No cap on streams: each is one HTTP/2 stream on a shared connection and
// holds a constant amount of state (its cursor and at most one partial line), whatever the
// volume it carries.
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { ExitCode, KubectlDaskError } from '../core/errors.ts';
import { type ContainerLog, type LogEntry, LineSplitter, LogCursor, type StreamWindow, logSelector, parseTimestampedLine, podLogs } from '../core/logs.ts';
import { type Component, clusterSelector, connectionFlags, nameArgument } from '../core/spec.ts';
import { eachChunk } from '../kube/body.ts';
import type { KubeClient } from '../kube/client.ts';
import { clusterMissing } from './cluster.ts';

export interface LogsRequest {
  namespace: string;
  name: string;
  components: Component[];
  follow: boolean;
  /** Each container's previous instance (after a restart), never with follow. */
  previous: boolean;
  /** --since / --tail, for the first request of each container. */
  window: StreamWindow;
  signal: AbortSignal;
}

export interface LogsOutput {
  format(entry: LogEntry, prefix: string): string;
  /** Writes formatted lines; a promise means: wait, the output is full. */
  write(text: string): void | Promise<void>;
  notice(text: string): void;
  /** Hands what write still holds to stdout, once no stream writes any more. */
  end(): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
// Without --follow a stream that keeps failing is reported and skipped.
const ATTEMPTS_WITHOUT_FOLLOW = 4;

interface ContainerStream {
  uid: string;
  cursor: LogCursor;
  stop: AbortController;
  /** A request loop is running for it. */
  active: boolean;
  /** The watch last saw the container running, so its log may still grow. */
  running: boolean;
}

export async function streamLogs(client: KubeClient, request: LogsRequest, output: LogsOutput): Promise<void> {
  const { namespace, name } = request;
  const deployments = await client.listDeployments(clusterSelector(name), namespace);
  if (deployments.length === 0) throw await clusterMissing(client, name, namespace);

  const streams = new Map<string, ContainerStream>();
  const loops = new Set<Promise<void>>();
  // Stopped by the user's signal, or by a failure no retry can fix (e.g. forbidden).
  const stopAll = new AbortController();
  stopAll.signal.addEventListener('abort', () => {
    for (const stream of streams.values()) stream.stop.abort();
  });
  const onAbort = () => stopAll.abort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  // A Ctrl-C while the Deployments were listed fired before there was a listener.
  if (request.signal.aborted) onAbort();
  let failure: unknown;
  // Without --follow: the prefixes of the logs given up on, which make the command fail.
  const unread: string[] = [];
  const fail = (error: unknown) => {
    failure ??= error;
    stopAll.abort();
  };

  const pump = async (pod: string, container: ContainerLog, stream: ContainerStream) => {
    const splitter = new LineSplitter();
    const emit = (lines: string[]) => {
      let text = '';
      for (const raw of lines) {
        const line = parseTimestampedLine(raw);
        if (!stream.cursor.accept(line)) continue;
        text += output.format({ pod, container: container.name, timestamp: line.timestamp, message: line.message }, container.prefix);
      }
      // One write per chunk, not per line: stdout to a pipe is a synchronous syscall per write.
      return text === '' ? undefined : output.write(text);
    };
    let delay = FIRST_RETRY_MS;
    let failures = 0;
    while (!stream.stop.signal.aborted) {
      try {
        const log = await client.openPodLog(
          { namespace, pod, container: container.name, follow: request.follow, previous: request.previous, ...stream.cursor.window() },
          stream.stop.signal,
        );
        stream.cursor.reconnected();
        splitter.reset();
        await eachChunk<string>(log, (chunk) => {
          delay = FIRST_RETRY_MS;
          failures = 0;
          return emit(splitter.push(chunk));
        });
        await emit(splitter.flush());
        // The container stopped, or the server ended the stream: if the watch still sees it
        // running, resume; a restart later shows up in the watch, which starts this loop again.
        if (!request.follow || !stream.running) return;
      } catch (error) {
        if (stream.stop.signal.aborted) return;
        if (error instanceof KubectlDaskError && error.exitCode === ExitCode.forbidden) return fail(error);
        // A container that never restarted has no previous log: nothing to give up on.
        if (request.previous && /previous terminated container .* not found/.test(errorText(error))) return output.notice(`${container.prefix} has no previous instance`);
        failures += 1;
        if (!request.follow && failures >= ATTEMPTS_WITHOUT_FOLLOW) {
          output.notice(`${container.prefix} giving up on this log: ${errorText(error)}`);
          unread.push(container.prefix);
          return;
        }
        // Once per outage, not per retry: an API server restart would otherwise print a line
        // per pod every few seconds.
        if (failures === 1) output.notice(`${container.prefix} log stream interrupted (${errorText(error)}); resuming with backoff`);
      }
      await sleep(delay, undefined, { signal: stream.stop.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  };

  const start = (pod: string, container: ContainerLog, stream: ContainerStream) => {
    stream.active = true;
    const loop: Promise<void> = pump(pod, container, stream)
      .catch(fail)
      .finally(() => {
        stream.active = false;
        loops.delete(loop);
      });
    loops.add(loop);
  };

  let firstState = true;
  const reconcile = (pods: V1Pod[]) => {
    const current = new Set<string>();
    for (const pod of pods.map(podLogs)) {
      for (const container of pod.containers) {
        const key = `${pod.pod}/${container.name}`;
        current.add(key);
        let stream = streams.get(key);
        if (stream && stream.uid !== pod.uid) {
          stream.stop.abort();
          streams.delete(key);
          stream = undefined;
        }
        if (!container.hasLogs) continue;
        if (!stream) {
          // --since and --tail pick from the history at start; a container that starts later
          // has no history from before, so all of its lines are new.
          const window = firstState ? request.window : {};
          stream = { uid: pod.uid, cursor: new LogCursor(window), stop: new AbortController(), active: false, running: false };
          streams.set(key, stream);
          if (!firstState) output.notice(`${container.prefix} new pod: following its log`);
        }
        stream.running = container.running;
        if (!stream.active) start(pod.pod, container, stream);
      }
    }
    for (const [key, stream] of streams) {
      if (current.has(key)) continue;
      stream.stop.abort();
      streams.delete(key);
    }
    firstState = false;
    podsLeft = pods.length;
    endIfDeleted();
  };

  // A cluster scaled to 0 workers may get new ones to follow; a deleted one never will: once its
  // Deployments and then its pods (with their last lines) are gone, the follow ends, as kubectl
  // logs -f does when its pods are gone.
  let podsLeft = 0;
  let deploymentsLeft = true;
  const endIfDeleted = () => {
    if (deploymentsLeft || podsLeft > 0 || stopAll.signal.aborted) return;
    output.notice(`Dask cluster "${name}" was deleted: nothing left to follow`);
    stopAll.abort();
  };

  try {
    const selector = logSelector(name, request.components);
    if (request.follow) {
      await Promise.all([
        client.observePods(namespace, selector, stopAll.signal, reconcile),
        // Only to end on deletion: should its first list fail, the follow goes on without it.
        client
          .observeDeployments(namespace, clusterSelector(name), stopAll.signal, (items) => {
            deploymentsLeft = items.length > 0;
            endIfDeleted();
          })
          .catch(() => undefined),
      ]);
    } else {
      const pods = await client.listPods(selector, namespace);
      const what = request.components.length === 1 ? `${request.components[0]} pods` : 'pods';
      if (pods.length === 0) output.notice(`no ${what} in Dask cluster "${name}" (namespace "${namespace}")`);
      for (const pod of pods.map(podLogs)) {
        for (const c of pod.containers) if (c.waiting) output.notice(`${c.prefix} no log yet: container ${c.name} is ${c.waiting}`);
      }
      reconcile(pods);
    }
    // Without --follow this waits for every log to end; with it, the watch has ended because
    // everything was stopped, and this waits for the streams to wind down.
    while (loops.size > 0) await Promise.all(loops);
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    stopAll.abort();
    // The launcher ends the process as soon as the command returns and stdout is written.
    output.end();
  }
  if (failure !== undefined) throw failure;
  if (unread.length > 0) {
    const cluster = `${nameArgument(name)}${connectionFlags(namespace, client.target)}`;
    const which = unread.length === 1 ? `the log of ${unread[0]}` : `${unread.length} logs (${unread.join(', ')})`;
    throw new KubectlDaskError(`could not read ${which}, see above; the other logs were printed. Check the pods with kubectl dask status${cluster}, then run kubectl dask logs${cluster} again`);
  }
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof cause === 'string' ? `${message}: ${cause}` : message;
}
