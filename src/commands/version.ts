import type { Argv, CommandModule } from 'yargs';
import { VERSION } from '../version.ts';
import { writeResult } from './runtime.ts';

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the kubectl-dask version',
  builder: (y: Argv) =>
    y
      .example('$0 version', `kubectl-dask ${VERSION}`)
      .epilogue('Reads no kubeconfig and makes no API call; for the cluster\'s Kubernetes version, run kubectl version.'),
  handler: () => writeResult(`kubectl-dask ${VERSION}`),
};
