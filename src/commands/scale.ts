import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { parseClusterName, parseCount, parseTimeout } from '../core/validate.ts';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, interruptSignal, terminalMode, withReporter, writeResult } from './runtime.ts';
import { waitOptions } from './up.ts';

interface ScaleArgs extends GlobalArgs {
  name?: string;
  workers?: string;
  wait: boolean;
  timeout: string;
  force: boolean;
  output?: string;
}

export const scaleCommand: CommandModule<GlobalArgs, ScaleArgs> = {
  command: 'scale [name]',
  describe: 'Change the number of workers and wait until they are ready',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        workers: { type: 'string', describe: 'Desired number of workers (required)' },
        force: { type: 'boolean', default: false, describe: 'Scale down even if the scheduler cannot retire the removed workers first' },
        ...waitOptions,
        ...outputOption,
      }))
      .example('$0 scale --workers 4', 'Four workers for the cluster "dask"')
      .example('$0 scale etl --workers 0 --no-wait', 'Stop all workers of "etl" and return at once')
      .epilogue('Scaling down first asks the scheduler to retire the workers that go, so their results move to the workers that stay.'),
  handler: async (args) => {
    if (args.workers === undefined) throw new UsageError('missing --workers: say how many workers you want, e.g. kubectl dask scale --workers 4');
    const request = {
      name: parseClusterName(args.name ?? 'dask'),
      workers: parseCount('workers', args.workers),
      wait: args.wait,
      force: args.force,
      timeoutMs: parseTimeout(args.timeout),
    };
    const output = parseOutput(args.output);
    const mode = terminalMode(args);
    const client = await connect(args);
    const { scaleCluster } = await import('../operations/scale.ts');
    const status = await withReporter(mode, (reporter) => scaleCluster(client, { ...request, namespace: client.namespace, signal: interruptSignal() }, reporter));
    const { formatObjects, formatStatus } = await import('../ui/status-view.ts');
    writeResult(output === 'text' ? formatStatus(status, mode) : await formatObjects(status, output));
  },
};
