import type { Argv, CommandModule } from 'yargs';
import { parseClusterName } from '../core/validate.ts';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, terminalMode, writeResult } from './runtime.ts';

interface StatusArgs extends GlobalArgs {
  name?: string;
  output?: string;
}

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status [name]',
  describe: "Show a cluster's readiness, pods, addresses and connection snippets",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues(outputOption))
      .example('$0 status', 'The cluster "dask" in the current namespace')
      .example('$0 status etl -n data -o json', 'Machine-readable status (shape documented in the README)'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const output = parseOutput(args.output);
    const client = await connect(args);
    const { readClusterStatus, clusterMissing } = await import('../operations/cluster.ts');
    const status = await readClusterStatus(client, client.namespace, name);
    if (!status) throw await clusterMissing(client, name, client.namespace);
    const { formatObjects, formatStatus } = await import('../ui/status-view.ts');
    writeResult(output === 'text' ? formatStatus(status, terminalMode(args)) : await formatObjects(status, output));
  },
};
