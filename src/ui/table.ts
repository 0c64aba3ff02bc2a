// One table model for every renderer: the plain formatters paint it with ANSI, the Ink
// components with <Text> props, and both share the kubectl-like layout computed here, as do
// the aligned "Key: value" blocks.
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

/** A cell with the blanks that follow it; kept apart from the text so colour stops at the text. */
export interface PlacedCell extends Cell {
  pad: string;
}

/** The header and rows with each column padded to its widest cell; the last column is not, to
 * leave no trailing blanks. */
export function layoutTable({ header, rows }: Table): PlacedCell[][] {
  const all: Cell[][] = [header.map((text) => ({ text })), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.text.length ?? 0)));
  const last = header.length - 1;
  return all.map((row) =>
    row.map((cell, i) => ({ ...cell, pad: i === last ? '' : ' '.repeat((widths[i] ?? 0) + GAP - cell.text.length) })),
  );
}

/**
 * The table without the columns it can spare, in the order given, until its rows fit width: a
 * narrow terminal keeps a pod's name, readiness and status whole rather than cutting every row.
 */
export function fitTable(table: Table, width: number, spare: string[]): Table {
  const widest = (t: Table) => Math.max(...layoutTable(t).map((row) => row.reduce((sum, cell) => sum + cell.text.length + cell.pad.length, 0)));
  let fitted = table;
  for (const column of spare) {
    if (widest(fitted) <= width) break;
    const i = fitted.header.indexOf(column);
    if (i === -1) continue;
    fitted = { header: fitted.header.filter((_, c) => c !== i), rows: fitted.rows.map((row) => row.filter((_, c) => c !== i)) };
  }
  return fitted;
}

export function paintCell(cell: Cell, p: Paint): string {
  return cell.tone ? p[cell.tone](cell.text) : cell.text;
}

export function formatTable(table: Table, p: Paint): string {
  return layoutTable(table)
    .map((row) => `${row.map((cell) => paintCell(cell, p) + cell.pad).join('')}\n`)
    .join('');
}

/** "Key:  value" lines with the values aligned, as kubectl describe does. */
export function formatFields(fields: [key: string, value: string][]): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 2;
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}\n`).join('');
}

export function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
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

/** READY-style "k/N", highlighted while short of N or while pods of an older revision still run
 * (mid-rollout they count as ready too). */
export function countCell({ ready, desired, old }: { ready: number; desired: number; old: number }): Cell {
  const text = old > 0 ? `${ready}/${desired} (${old} old)` : `${ready}/${desired}`;
  return ready >= desired && old === 0 ? { text } : { text, tone: 'yellow' };
}

export function readyCell(ready: boolean): Cell {
  return ready ? { text: 'yes', tone: 'green' } : { text: 'no', tone: 'yellow' };
}
