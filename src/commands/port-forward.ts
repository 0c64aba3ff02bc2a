import { isIP } from 'node:net';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { DASHBOARD_PORT, SCHEDULER_PORT } from '../core/spec.ts';
import { parseClusterName, parseCount } from '../core/validate.ts';
import type { ForwardPort } from '../operations/port-forward.ts';
import { type GlobalArgs, withValues } from './options.ts';
import { connect, interruptSignal, terminalMode } from './runtime.ts';

interface PortForwardArgs extends GlobalArgs {
  name?: string;
  port: string;
  'dashboard-port': string;
  address: string;
}

export const addressOption = {
  address: { type: 'string', default: '127.0.0.1', describe: 'Local address to listen on (0.0.0.0 lets other machines connect)' },
} as const;

export function parseAddress(value: unknown): string {
  const text = String(value).trim();
  if (text !== 'localhost' && isIP(text) === 0) throw new UsageError(`invalid --address "${text}": expected an IP address such as 127.0.0.1, 0.0.0.0 or ::1, or localhost`);
  return text;
}

export function parsePort(flag: string, value: unknown): number {
  return parseCount(flag, value, { min: 0, max: 65_535, example: '0 (any free port)' });
}

/** Forwards until Ctrl-C, which ends the command with exit code 0: that is how a forward ends. */
export async function forward(args: GlobalArgs, name: string, address: string, ports: ForwardPort[], openDashboard = false): Promise<void> {
  const mode = terminalMode(args);
  const client = await connect(args);
  const [{ runPortForward }, { createForwardPresenter }] = await Promise.all([import('../operations/port-forward.ts'), import('../ui/forward-panel.ts')]);
  const presenter = await createForwardPresenter(mode, address, openDashboard);
  try {
    await runPortForward(client, { namespace: client.namespace, name, address, ports, signal: interruptSignal() }, presenter);
  } finally {
    await presenter.close();
  }
}

export const portForwardCommand: CommandModule<GlobalArgs, PortForwardArgs> = {
  command: 'port-forward [name]',
  describe: 'Forward the scheduler and its dashboard to local ports, following the scheduler pod when it is replaced',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('name', { type: 'string', default: 'dask', describe: 'Cluster name' })
      .options(withValues({
        port: { type: 'string', default: String(SCHEDULER_PORT), describe: 'Local port for the scheduler (0 = any free port)' },
        'dashboard-port': { type: 'string', default: String(DASHBOARD_PORT), describe: 'Local port for the dashboard (0 = any free port)' },
        ...addressOption,
      }))
      .example('$0 port-forward', 'tcp://127.0.0.1:8786 and http://127.0.0.1:8787 for the cluster "dask"')
      .example('$0 port-forward etl --port 0 --dashboard-port 0', 'Any free local ports, printed on start'),
  handler: async (args) => {
    const name = parseClusterName(args.name ?? 'dask');
    const ports: ForwardPort[] = [
      { label: 'scheduler', flag: '--port', local: parsePort('port', args.port), remote: SCHEDULER_PORT },
      { label: 'dashboard', flag: '--dashboard-port', local: parsePort('dashboard-port', args['dashboard-port']), remote: DASHBOARD_PORT },
    ];
    if (ports[0]!.local !== 0 && ports[0]!.local === ports[1]!.local) throw new UsageError(`--port and --dashboard-port are both ${ports[0]!.local}: pick two ports, or 0 for any free one`);
    await forward(args, name, parseAddress(args.address), ports);
  },
};
