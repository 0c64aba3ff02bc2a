// npm run cluster:up — builds the testbed binaries if needed and starts the local cluster
// (or reports that it is already up). See testbed.ts.
import fs from 'node:fs';
import { runCli, startedByTestsMarker, up } from './testbed.ts';

await runCli(async () => {
  await up();
  // Asked for by hand: keep it running after the test runs that use it end.
  fs.rmSync(startedByTestsMarker, { force: true });
});
