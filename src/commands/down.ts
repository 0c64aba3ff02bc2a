import type { Argv, CommandModule } from 'yargs';
import { ExitCode, KubectlDaskError } from '../core/errors.ts';
import { parseClusterName, parseTimeout } from '../core/validate.ts';
import { askToConfirm, canAsk, refuseUnasked } from './confirm.ts';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, interruptSignal, terminalMode, withLaterReporter, writeResult } from './runtime.ts';
import { waitOptions } from './up.ts';

interface DownArgs extends GlobalArgs {
  name?: string;
  yes: boolean;
  wait: boolean;
  timeout: string;
  output?: string;
}

export const downCommand: CommandModule<GlobalArgs, DownArgs> = {
  command: 'down [name]',
  describe: 'Delete a Dask cluster and wait until its pods are gone',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        yes: { alias: 'y', type: 'boolean', default: false, describe: 'Delete without asking (required when there is no terminal to ask in)' },
        wait: { ...waitOptions.wait, describe: "Wait until the cluster's pods are gone (--no-wait returns at once)" },
        timeout: { ...waitOptions.timeout, default: '2m' },
        ...outputOption,
      }))
      .example('$0 down', 'Asks, then deletes the cluster "dask"')
      .example('$0 down etl --yes', 'Deletes "etl" without asking, as scripts and CI must'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const timeoutMs = parseTimeout(args.timeout);
    const output = parseOutput(args.output);
    const mode = terminalMode(args);
    if (!args.yes && !canAsk()) throw refuseUnasked(`delete Dask cluster "${name}"`);
    const client = await connect(args);
    const { downCluster } = await import('../operations/down.ts');
    const signal = interruptSignal();
    const result = await withLaterReporter(mode, (startReporter) =>
      downCluster(
        client,
        {
          name,
          namespace: client.namespace,
          wait: args.wait,
          timeoutMs,
          signal,
          confirm: (objects) =>
            args.yes
              ? Promise.resolve(true)
              : askToConfirm(`Delete ${objects.join(', ')} in namespace "${client.namespace}"? Running work on this cluster is lost.`, 'nothing was deleted', signal),
        },
        startReporter,
      ),
    );
    if (result.cancelled) throw new KubectlDaskError('cancelled: nothing was deleted', ExitCode.failure);
    if (output === 'text') return writeResult(`Deleted Dask cluster "${name}" in namespace "${client.namespace}" (${result.deleted.join(', ')}).`);
    const { formatObjects } = await import('../ui/status-view.ts');
    writeResult(await formatObjects({ name, namespace: client.namespace, deleted: result.deleted }, output));
  },
};
