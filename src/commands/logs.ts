import type { Argv, CommandModule } from 'yargs';
import { ExitCode, QuietExit, UsageError } from '../core/errors.ts';
import { type StreamWindow, parseComponents, parseSince, parseTail } from '../core/logs.ts';
import { parseClusterName } from '../core/validate.ts';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, interruptSignal, terminalMode } from './runtime.ts';

interface LogsArgs extends GlobalArgs {
  name?: string;
  scheduler: boolean;
  all: boolean;
  follow: boolean;
  previous: boolean;
  since?: string;
  tail?: string;
  timestamps: boolean;
  output?: string;
}

export const logsCommand: CommandModule<GlobalArgs, LogsArgs> = {
  command: 'logs [name]',
  describe: 'Print the logs of the workers (or the scheduler), each line prefixed with its pod',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        scheduler: { type: 'boolean', default: false, describe: 'The scheduler instead of the workers' },
        all: { type: 'boolean', default: false, describe: 'The scheduler and the workers' },
        follow: { alias: 'f', type: 'boolean', default: false, describe: 'Keep streaming, including pods that start later; Ctrl-C to stop' },
        previous: { alias: 'p', type: 'boolean', default: false, describe: "Each container's previous instance, after a restart or crash (not with -f)" },
        since: { type: 'string', describe: 'Only lines newer than this, e.g. 30s, 5m, 2h' },
        tail: { type: 'string', describe: 'Only the last N lines of each container (default: all)' },
        timestamps: { type: 'boolean', default: false, describe: 'Show the time of each line' },
        output: { ...outputOption.output, describe: 'Output format: json for one object per line {pod, container, timestamp, message}' },
      }))
      .example('$0 logs -f', 'Follow every worker of the cluster "dask", including new ones')
      .example('$0 logs etl --all --since 10m', 'The last ten minutes of the scheduler and workers of "etl"')
      .example('$0 logs --scheduler --tail 100 -o json', 'The last 100 scheduler lines as JSON lines')
      .example('$0 logs -p', 'What the workers printed before they last restarted (a crash loop)'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const components = parseComponents(args);
    const window: StreamWindow = {};
    const since = args.since === undefined ? undefined : parseSince(args.since);
    if (since !== undefined) window.sinceSeconds = since;
    const tail = parseTail(args.tail);
    if (tail !== undefined) window.tailLines = tail;
    // The previous instance ended: there is nothing to follow.
    if (args.previous && args.follow) throw new UsageError('-p/--previous shows logs of instances that ended: leave out -f');
    const output = parseOutput(args.output);
    if (output === 'yaml') throw new UsageError('logs print -o json (one object per line) or text, not yaml');
    const mode = terminalMode(args);
    const client = await connect(args);
    const [{ streamLogs }, { logOutput }] = await Promise.all([import('../operations/logs.ts'), import('../ui/log-lines.ts')]);
    // A reader that goes away (logs | head) ends the command quietly with 0; Ctrl-C quietly with
    // 130, as kubectl logs -f, which the signal ends.
    const closed = new AbortController();
    process.stdout.once('error', () => closed.abort());
    const interrupt = interruptSignal();
    const signal = AbortSignal.any([interrupt, closed.signal]);
    const format = { output, color: mode.color, timestamps: args.timestamps };
    await streamLogs(client, { namespace: client.namespace, name, components, follow: args.follow, previous: args.previous, window, signal }, logOutput(format, signal));
    if (interrupt.aborted) throw new QuietExit(ExitCode.interrupted);
  },
};
