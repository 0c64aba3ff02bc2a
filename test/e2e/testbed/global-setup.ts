// Vitest globalSetup for the e2e project: starts the local testbed with the same code as
// `npm run cluster:up`, or reuses one that is already up. Stops it afterwards only if it
// started it here (set KUBECTL_DASK_TESTBED_KEEP=1 to keep it running anyway).
import { down, logsLink, rel, TestbedError, up } from '../../cluster/testbed.ts';

export default async function setup(): Promise<() => Promise<void>> {
  let started: boolean;
  try {
    started = (await up()).started;
  } catch (err) {
    const why = err instanceof TestbedError && err.reported ? 'see the build.sh line above' : (err as Error).message;
    // One readable line; vitest prints the message of a failing global setup.
    const e = new Error(`local test cluster did not start: ${why} (component logs: ${rel(logsLink)}/)`);
    e.stack = e.message;
    throw e;
  }
  return async () => {
    if (started && !process.env.KUBECTL_DASK_TESTBED_KEEP) await down();
  };
}
