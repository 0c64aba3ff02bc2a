// Pure logic of `kubectl dask logs`: flags, which pods, how a line is split, prefixed and
// coloured, and how a resumed stream skips what was already printed. No I/O.
import type { V1Pod } from '@kubernetes/client-node';
import { UsageError } from './errors.ts';
import { type Component, LABEL, labelSelector } from './spec.ts';
import { parseDuration } from './validate.ts';

export interface LogEntry {
  /** Full pod name. */
  pod: string;
  container: string;
  /** As the API server sent it (RFC3339, usually with nanoseconds); undefined if the line had none. */
  timestamp?: string;
  message: string;
}

/** Pods of the chosen components of one cluster. */
export function logSelector(cluster: string, components: readonly Component[]): string {
  const base = labelSelector({ [LABEL.name]: 'dask', [LABEL.instance]: cluster });
  return components.length === 1 ? `${base},${LABEL.component}=${components[0]}` : `${base},${LABEL.component} in (${[...components].sort().join(',')})`;
}

export function parseComponents(flags: { scheduler?: boolean; all?: boolean }): Component[] {
  if (flags.scheduler && flags.all) throw new UsageError('--scheduler and --all exclude each other: --all already includes the scheduler');
  if (flags.all) return ['scheduler', 'worker'];
  return flags.scheduler ? ['scheduler'] : ['worker'];
}

/** --since as whole seconds for the API (sinceSeconds), rounded up so nothing is cut off. */
/** --since as whole seconds; 0s means no limit, as in kubectl. */
export function parseSince(value: unknown): number | undefined {
  const ms = parseDuration('since', value);
  return ms === 0 ? undefined : Math.ceil(ms / 1000);
}

/** --tail N lines per container; -1 (kubectl's spelling of "all") and undefined mean all. */
export function parseTail(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text) || Number(text) < -1) throw new UsageError(`invalid --tail "${String(value)}": expected a number of lines such as --tail 100 (or -1 for all)`);
  const n = Number(text);
  return n === -1 ? undefined : n;
}

/**
 * `dask-worker-7d9f8c6b5-abc12` -> `dask-worker-abc12`: the ReplicaSet hash is the same for every
 * pod of a rollout and only makes prefixes longer. Other names are kept.
 */
export function shortPodName(name: string, templateHash?: string): string {
  if (!templateHash) return name;
  const infix = `-${templateHash}-`;
  const at = name.lastIndexOf(infix);
  return at > 0 ? name.slice(0, at) + name.slice(at + infix.length - 1) : name;
}

/** The prefix shown before each line; the container is named only for pods with several. */
export function linePrefix(shortName: string, container: string, containerCount: number): string {
  return containerCount > 1 ? `[${shortName}/${container}]` : `[${shortName}]`;
}

export interface ContainerLog {
  name: string;
  /** The container has run, so the kubelet has a log for it (the last run's, if it is restarting). */
  hasLogs: boolean;
  /** Running now: its log may grow. */
  running: boolean;
  /** Why it has not started, e.g. ContainerCreating or ImagePullBackOff. */
  waiting?: string;
  /** Shown before each of its lines. */
  prefix: string;
}

export interface PodLogs {
  pod: string;
  uid: string;
  containers: ContainerLog[];
}

/** What can be streamed from a pod right now, from the last state the watch delivered. */
export function podLogs(pod: V1Pod): PodLogs {
  const name = pod.metadata?.name ?? '';
  const specs = pod.spec?.containers ?? [];
  const short = shortPodName(name, pod.metadata?.labels?.['pod-template-hash']);
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers = specs.map(({ name: container }): ContainerLog => {
    const status = statuses.get(container);
    const running = status?.state?.running !== undefined;
    const hasLogs = running || status?.state?.terminated !== undefined || status?.lastState?.terminated !== undefined;
    const prefix = linePrefix(short, container, specs.length);
    return { name: container, hasLogs, running, prefix, ...(hasLogs ? {} : { waiting: status?.state?.waiting?.reason ?? 'ContainerCreating' }) };
  });
  return { pod: name, uid: pod.metadata?.uid ?? name, containers };
}

/** A stable colour slot for a pod: the same name gets the same colour in every run (FNV-1a). */
export function colorSlot(name: string, slots: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % slots;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A key that sorts like the instant: RFC3339Nano drops trailing zeros of the fraction, so
 * timestamps cannot be compared as strings. The key is the UTC time with nine fraction digits;
 * the API server sends UTC (Z), which needs no date arithmetic, and this runs for every line (so
 * a Z time is not checked against the calendar). Undefined when text is not shaped as an RFC3339
 * timestamp.
 */
export function timestampKey(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${fraction}`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19)}.${fraction}` : undefined;
}

export interface TimestampedLine {
  timestamp?: string;
  key?: string;
  message: string;
}

/** Splits a line the API server sent with timestamps=true: `<RFC3339Nano> <message>`. */
export function parseTimestampedLine(line: string): TimestampedLine {
  const space = line.indexOf(' ');
  const head = space < 0 ? line : line.slice(0, space);
  const key = timestampKey(head);
  if (key === undefined) return { message: line };
  return { timestamp: head, key, message: space < 0 ? '' : line.slice(space + 1) };
}

/**
 * Splits a text stream into lines. A line longer than maxLine is cut into pieces, so a process
 * that never writes a newline cannot grow memory without bound.
 */
export class LineSplitter {
  private rest = '';
  private readonly maxLine: number;

  constructor(maxLine = 1 << 20) {
    this.maxLine = maxLine;
  }

  push(chunk: string): string[] {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    while (this.rest.length > this.maxLine) {
      lines.push(this.rest.slice(0, this.maxLine));
      this.rest = this.rest.slice(this.maxLine);
    }
    return lines.map(stripCarriageReturn);
  }

  /** The unterminated last line of a stream that ended, if any. */
  flush(): string[] {
    const rest = this.rest;
    this.rest = '';
    return rest === '' ? [] : [stripCarriageReturn(rest)];
  }

  /** Forgets a partial line: after a dropped stream the server sends it again, whole. */
  reset(): void {
    this.rest = '';
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export interface StreamWindow {
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
}

/**
 * Where a container's log stream stands, so a reconnect asks for sinceTime = the latest timestamp
 * printed and skips the lines it gets again. The API rounds sinceTime down to the second and
 * several lines can share a timestamp, so it counts the lines printed at the latest timestamp and
 * skips exactly that many of them on replay. Only a replay is filtered: the runtime stamps stdout
 * and stderr as it reads each pipe, so a live stream can hold a line stamped earlier than the one
 * before it, and that line is output like any other. Memory is constant per stream.
 */
export class LogCursor {
  private latestTimestamp: string | undefined;
  private latestKey: string | undefined;
  /** Lines printed with latestKey. */
  private printedAtLatest = 0;
  /** Lines with latestKey received since the reconnect. */
  private receivedAtLatest = 0;
  /** From a reconnect until the replay has passed the last line printed. */
  private replaying = false;
  private readonly initial: StreamWindow;

  constructor(initial: StreamWindow) {
    this.initial = initial;
  }

  /** The window of the next request: the user's flags at first, then from the latest line printed. */
  window(): StreamWindow {
    return this.latestTimestamp === undefined ? this.initial : { sinceTime: this.latestTimestamp };
  }

  /** Call when a new connection starts delivering lines. */
  reconnected(): void {
    this.replaying = this.latestKey !== undefined;
    this.receivedAtLatest = 0;
  }

  /** Whether a line with this key is new (and so printed); updates the cursor. */
  accept(line: TimestampedLine): boolean {
    const { key } = line;
    if (key === undefined) return true;
    const latest = this.latestKey;
    if (this.replaying) {
      if (latest !== undefined && key < latest) return false;
      if (key === latest) {
        this.receivedAtLatest += 1;
        if (this.receivedAtLatest <= this.printedAtLatest) return false;
      }
      this.replaying = false;
    }
    if (latest === undefined || key > latest) {
      this.latestKey = key;
      this.latestTimestamp = line.timestamp;
      this.printedAtLatest = 1;
    } else if (key === latest) {
      this.printedAtLatest += 1;
    }
    return true;
  }
}

/** One JSON object per line for -o json; the shape is documented and stable. */
export function jsonLine(entry: LogEntry): string {
  return JSON.stringify({ pod: entry.pod, container: entry.container, timestamp: entry.timestamp ?? null, message: entry.message });
}
