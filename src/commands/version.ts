import type { CommandModule } from 'yargs';
import { VERSION } from '../version.ts';
import { writeResult } from './runtime.ts';

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the kubectl-dask version',
  handler: () => writeResult(`kubectl-dask ${VERSION}`),
};
