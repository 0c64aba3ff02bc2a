// What `up` and `scale` print last: whether the cluster is usable, how to connect, and the
// commands a user needs next, spelled for this cluster so they can be pasted as they are.
import { type CommandTarget, connectionFlags, nameArgument } from '../core/spec.ts';
import type { ClusterStatus } from '../core/status.ts';
import { STEP_STYLE, WARNING_STYLE } from './progress-text.ts';
import { connectionFields, formatSnippets } from './status-view.ts';
import { formatFields, indent } from './table.ts';
import { paint } from './terminal.ts';

export interface SummaryOptions {
  color: boolean;
  /** Where up ran: the next steps repeat its --kubeconfig, --context and -n as needed (connectionFlags). */
  target?: CommandTarget;
}

export function formatUpSummary(s: ClusterStatus, opts: SummaryOptions): string {
  const p = paint(opts.color);
  const counts = `scheduler ${s.scheduler.ready}/${s.scheduler.desired}, workers ${s.workers.ready}/${s.workers.desired}`;
  const { mark, tone } = s.ready ? STEP_STYLE.done : WARNING_STYLE;
  const headline = s.ready
    ? `Dask cluster "${s.name}" is ready in namespace ${s.namespace} (${counts}).`
    : `Dask cluster "${s.name}" in namespace ${s.namespace} is not ready yet (${counts}).`;

  const target = nameArgument(s.name);
  const namespace = connectionFlags(s.namespace, opts.target ?? {});
  const steps = [
    ...(s.ready ? [] : [{ args: `status${target}`, why: 'see what it is still waiting for' }]),
    { args: `port-forward${target}`, why: 'reach the dashboard and scheduler from this machine' },
    { args: `logs${target} -f`, why: 'follow the worker logs' },
    { args: `scale${target} --workers N`, why: 'change the number of workers' },
    { args: `down${target}`, why: 'delete the cluster' },
  ].map(({ args, why }) => ({ command: `kubectl dask ${args}${namespace}`, why }));
  const width = Math.max(...steps.map(({ command }) => command.length)) + 2;
  const nextSteps = steps.map(({ command, why }) => `${command.padEnd(width)}${p.dim(`# ${why}`)}\n`).join('');

  return [
    `${p[tone](mark)} ${headline}\n${indent(s.waitingFor.map((line) => `${line}\n`).join(''))}`,
    formatFields(connectionFields(s, p)),
    formatSnippets(s, p),
    `${p.bold('Next steps:')}\n${indent(nextSteps)}`,
  ].join('\n');
}
