import type { Argv, CommandModule } from 'yargs';
import { DASHBOARD_PORT } from '../core/spec.ts';
import { parseClusterName } from '../core/validate.ts';
import { type GlobalArgs, withValues } from './options.ts';
import { addressOption, forward, parseAddress, parsePort } from './port-forward.ts';

interface DashboardArgs extends GlobalArgs {
  name?: string;
  port: string;
  address: string;
  open: boolean;
}

export const dashboardCommand: CommandModule<GlobalArgs, DashboardArgs> = {
  command: 'dashboard [name]',
  describe: "Forward the scheduler's dashboard to a local port and open it in a browser",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        port: { type: 'string', default: String(DASHBOARD_PORT), describe: 'Local port (0 = any free port)' },
        ...addressOption,
        open: { type: 'boolean', default: true, describe: 'Open a browser when there is one (--no-open only prints the URL)' },
      }))
      .example('$0 dashboard', 'http://127.0.0.1:8787 for the cluster "dask", opened in the browser')
      .example('$0 dashboard etl --port 0 --no-open', 'Any free port; print the URL only'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const address = parseAddress(args.address);
    await forward(args, name, address, [{ label: 'dashboard', flag: '--port', local: parsePort('port', args.port), remote: DASHBOARD_PORT }], args.open);
  },
};
