// npm run cluster:up — builds the testbed binaries if needed and starts the local cluster
// (or reports that it is already up). See testbed.ts.
import { runCli, up } from './testbed.ts';

await runCli(up);
