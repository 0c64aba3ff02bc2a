// Vitest globalSetup for the e2e project: starts the local testbed with the same code as
// `npm run cluster:up`, or reuses one that is already up. Stops it afterwards only if it
// started it here and no other test run still uses it (set KUBECTL_DASK_TESTBED_KEEP=1 to
// keep it running anyway).
import { addUser, down, logsLink, rel, TestbedError, up } from '../../cluster/testbed.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const release = addUser();
  let started: boolean;
  try {
    started = (await up()).started;
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
    if (!started || process.env.KUBECTL_DASK_TESTBED_KEEP) return;
    if (others) {
      process.stderr.write(`cluster: left running: ${others} other test run(s) on this checkout use it\n`);
      return;
    }
    await down();
  };
}
