// How one log line is written to stdout: `[pod] message` in a stable colour per pod, or one JSON
// object per line.
import { once } from 'node:events';
import { type LogEntry, colorSlot, jsonLine } from '../core/logs.ts';
import type { LogsOutput } from '../operations/logs.ts';

// Foreground colours readable on dark and light backgrounds; red is left out, it reads as error.
const PALETTE = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96];

export interface LineFormat {
  output: 'text' | 'json';
  color: boolean;
  timestamps: boolean;
}

/**
 * The text written for entry, newline included; prefix is what linePrefix gave for its pod. Log
 * text is one character a byte (latin1, see KubeClient.openPodLog) and so is what this returns,
 * written as latin1: a log's bytes reach stdout unchanged, as kubectl logs passes them on. JSON
 * must be UTF-8: there, bytes that are not become U+FFFD.
 */
export function formatLogLine(entry: LogEntry, prefix: string, format: LineFormat): string {
  if (format.output === 'json') {
    const line = jsonLine({ ...entry, message: Buffer.from(entry.message, 'latin1').toString('utf8') });
    return Buffer.from(`${line}\n`, 'utf8').toString('latin1');
  }
  const colored = format.color ? `\x1b[${PALETTE[colorSlot(entry.pod, PALETTE.length)]}m${prefix}\x1b[39m` : prefix;
  const time = format.timestamps && entry.timestamp ? `${entry.timestamp} ` : '';
  return `${colored} ${time}${entry.message}\n`;
}

/**
 * Log lines to stdout and notices to stderr. What every stream hands over in one turn of the event
 * loop goes out in one write: stdout to a pipe or file is a synchronous write(2) on Linux, and one
 * per chunk of each of hundreds of streams made the follower wait on the pipe instead of reading.
 * Once stdout is full, write returns a promise so the streams pause instead of buffering without
 * bound; streams that meet a full stdout together wait for the same 'drain' (a listener each
 * would be hundreds on one socket), which also ends the wait when signal aborts.
 */
export function logOutput(format: LineFormat, signal: AbortSignal, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): LogsOutput {
  let pending: string[] = [];
  let drained: Promise<void> | undefined;
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (stdout.write(text, 'latin1') || drained) return;
    const done = () => void (drained = undefined);
    drained = once(stdout, 'drain', { signal }).then(done, done);
  };
  return {
    format: (entry, prefix) => formatLogLine(entry, prefix, format),
    write: (text) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push(text);
      return drained;
    },
    notice: (text) => void stderr.write(`${text}\n`),
    end: flush,
  };
}
