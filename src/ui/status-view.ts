// Plain renderings of cluster status for `status`, `list` and `-o json|yaml`. Colour is the only
// difference between a terminal and a pipe; the words and layout are the same.
import { type ClusterStatus, formatAge } from '../core/status.ts';
import { countCell, formatFields, formatTable, indent, paintCell, podTable, readyCell } from './table.ts';
import { type Paint, paint } from './terminal.ts';

/** Where to reach the scheduler; shared by `status` and the summary after `up`. */
export function connectionFields(s: ClusterStatus, p: Paint): [string, string][] {
  return [
    ['Address', `${s.address}  ${p.dim(`(from namespace ${s.namespace})`)}`],
    ['FQDN address', `${s.fqdnAddress}  ${p.dim('(from any namespace)')}`],
    ['Dashboard', s.dashboard],
  ];
}

export function formatSnippets(s: ClusterStatus, p: Paint): string {
  return [p.bold('Dask client:'), indent(s.snippets.dask), p.bold('Prefect 3 task runner:'), indent(s.snippets.prefect), ''].join('\n');
}

export function formatStatus(s: ClusterStatus, opts: { color: boolean; now?: Date }): string {
  const p = paint(opts.color);
  const now = opts.now ?? new Date();
  const pods = s.pods.length > 0 ? `\n${indent(formatTable(podTable(s.pods, now), p))}` : ' none\n';
  const sections = [
    formatFields([
      ['Name', s.name],
      ['Namespace', s.namespace],
      ['Ready', paintCell(readyCell(s.ready), p)],
      ['Scheduler', paintCell(countCell(s.scheduler), p)],
      ['Workers', paintCell(countCell(s.workers), p)],
      ['Image', s.image ?? '<none>'],
      ['Age', formatAge(s.createdAt, now)],
      ...connectionFields(s, p),
    ]),
    formatSnippets(s, p),
    `${p.bold('Pods:')}${pods}`,
  ];
  if (!s.ready) sections.push(formatWaitingFor(s, p));
  return sections.join('\n');
}

function formatWaitingFor(s: ClusterStatus, p: Paint): string {
  return `${p.bold('Waiting for:')}\n${indent(s.waitingFor.map((line) => `${line}\n`).join(''))}`;
}

export function formatClusterTable(list: ClusterStatus[], opts: { color: boolean; allNamespaces: boolean; now?: Date }): string {
  if (list.length === 0) return '';
  // kubectl prints NAMESPACE first, and only when listing across namespaces.
  const ns = opts.allNamespaces;
  const table = {
    header: [...(ns ? ['NAMESPACE'] : []), 'NAME', 'READY', 'SCHEDULER', 'WORKERS', 'IMAGE', 'AGE', 'ADDRESS'],
    rows: list.map((s) => [
      ...(ns ? [{ text: s.namespace }] : []),
      { text: s.name },
      readyCell(s.ready),
      countCell(s.scheduler),
      countCell(s.workers),
      { text: s.image ?? '<none>' },
      { text: formatAge(s.createdAt, opts.now) },
      { text: s.address },
    ]),
  };
  return formatTable(table, paint(opts.color));
}

/** -o json|yaml. With documents, an array of Kubernetes objects prints as kubectl prints several,
 * in a form `kubectl apply -f -` reads back: a YAML stream ("---" between objects), a JSON List.
 * The YAML library loads only for yaml: text output of status spent 4 ms loading it. */
export async function formatObjects(objs: unknown, format: 'json' | 'yaml', opts: { documents?: boolean } = {}): Promise<string> {
  if (format === 'json') return `${JSON.stringify(opts.documents && Array.isArray(objs) ? { apiVersion: 'v1', kind: 'List', items: objs } : objs, asApiTime, 2)}\n`;
  const { toYaml } = await import('./yaml.ts');
  const plain = JSON.parse(JSON.stringify(objs, asApiTime)) as unknown;
  return opts.documents && Array.isArray(plain) ? plain.map(toYaml).join('---\n') : toYaml(plain);
}

/** A time as the API server writes it (2026-01-02T03:04:05Z): client-node's writes return Dates,
 * which JSON would write with milliseconds the server never sent. */
function asApiTime(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? original.toISOString().replace(/\.000Z$/, 'Z') : value;
}
