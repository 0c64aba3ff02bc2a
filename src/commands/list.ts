import type { Argv, CommandModule } from 'yargs';
import { type GlobalArgs, outputOption, parseOutput, withValues } from './options.ts';
import { connect, terminalMode, writeResult } from './runtime.ts';

interface ListArgs extends GlobalArgs {
  'all-namespaces': boolean;
  output?: string;
}

export const listCommand: CommandModule<GlobalArgs, ListArgs> = {
  command: 'list',
  aliases: ['ls'],
  describe: 'List the Dask clusters in a namespace (or all with -A)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .options(withValues({ 'all-namespaces': { alias: 'A', type: 'boolean', default: false, describe: 'List clusters in every namespace' }, ...outputOption }))
      .example('$0 list', 'Clusters in the current namespace')
      .example('$0 list -A -o json', 'Every cluster, as {"items": [...]}'),
  handler: async (args) => {
    const output = parseOutput(args.output);
    const client = await connect(args);
    const { listClusters } = await import('../operations/list.ts');
    const clusters = await listClusters(client, args['all-namespaces'] ? undefined : client.namespace);
    const { formatObjects, formatClusterTable } = await import('../ui/status-view.ts');
    if (output !== 'text') return writeResult(await formatObjects({ items: clusters }, output));
    if (clusters.length === 0) {
      process.stderr.write(args['all-namespaces'] ? 'No Dask clusters found.\n' : `No Dask clusters found in namespace "${client.namespace}".\n`);
      return;
    }
    writeResult(formatClusterTable(clusters, { ...terminalMode(args), allNamespaces: args['all-namespaces'] }));
  },
};
