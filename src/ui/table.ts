// One table model for every renderer: the plain formatters paint it with ANSI, the Ink
// components with <Text> props, and both share the kubectl-like layout computed here.
import type { PodView } from '../core/readiness.ts';
import { formatAge } from '../core/status.ts';
import type { Paint, Tone } from './terminal.ts';

export interface Cell {
  text: string;
  tone?: Tone;
}

export interface Table {
  header: string[];
  rows: Cell[][];
}

const GAP = 3;

/** Every cell padded to its column's width (the last column is not, to leave no trailing
 * blanks), the header first. */
export function layoutTable({ header, rows }: Table): Cell[][] {
  const all: Cell[][] = [header.map((text) => ({ text })), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.text.length ?? 0)));
  const last = header.length - 1;
  return all.map((row) =>
    row.map((cell, i) => (i === last ? cell : { ...cell, text: cell.text.padEnd((widths[i] ?? 0) + GAP) })),
  );
}

export function formatTable(table: Table, p: Paint): string {
  return layoutTable(table)
    .map((row) => row.map((c) => (c.tone ? p[c.tone](c.text) : c.text)).join('') + '\n')
    .join('');
}

function podStatus(pod: PodView): Cell {
  if (pod.terminating) return { text: 'Terminating', tone: 'dim' };
  if (pod.reason) return { text: pod.reason, tone: 'red' };
  return pod.phase === 'Running' ? { text: pod.phase } : { text: pod.phase, tone: 'yellow' };
}

export function podTable(pods: PodView[], now: Date): Table {
  return {
    header: ['NAME', 'COMPONENT', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    rows: pods.map((pod) => [
      { text: pod.name },
      { text: pod.component },
      readyCell(pod.ready),
      podStatus(pod),
      pod.restarts > 0 ? { text: String(pod.restarts), tone: 'yellow' } : { text: '0' },
      { text: formatAge(pod.createdAt ?? null, now) },
    ]),
  };
}

/** READY-style "k/N", highlighted while short of N. */
export function countCell({ ready, desired }: { ready: number; desired: number }): Cell {
  const text = `${ready}/${desired}`;
  return ready >= desired ? { text } : { text, tone: 'yellow' };
}

export function readyCell(ready: boolean): Cell {
  return ready ? { text: 'yes', tone: 'green' } : { text: 'no', tone: 'yellow' };
}
