// Vitest globalSetup for the e2e project: starts the local testbed with the same code as
// `npm run cluster:up`, or reuses one that is already up. At the end, the last test run on
// this checkout stops the cluster if a test run started it; one started by `npm run
// cluster:up` keeps running (and KUBECTL_DASK_TESTBED_KEEP=1 keeps it running anyway).
import fs from 'node:fs';
import { addUser, down, logsLink, rel, startedByTestsMarker, TestbedError, up } from '../../cluster/testbed.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const release = addUser();
  try {
    if ((await up()).started) fs.writeFileSync(startedByTestsMarker, `${process.pid}\n`);
  } catch (err) {
    release();
    const why = err instanceof TestbedError && err.reported ? 'see the build.sh line above' : (err as Error).message;
    // One readable line; vitest prints the message of a failing global setup.
    const e = new Error(`local test cluster did not start: ${why} (component logs: ${rel(logsLink)}/)`);
    e.stack = e.message;
    throw e;
  }
  return async () => {
    const others = release();
    if (process.env.KUBECTL_DASK_TESTBED_KEEP || !fs.existsSync(startedByTestsMarker)) return;
    if (others) {
      process.stderr.write(`cluster: left running for ${others} other test run(s) on this checkout; the last one stops it\n`);
      return;
    }
    await down();
  };
}
