// npm run cluster:down — stops every process of the local cluster; logs stay in .cluster/logs.
import { downReal } from './real-node.ts';
import { down, runCli } from './testbed.ts';

await runCli(async () => {
  // The real node (npm run cluster:up:real) first, while the API can still drain it; a no-op
  // when it was never started. Its failure must not keep the control plane running.
  let realError: unknown;
  try {
    await downReal();
  } catch (err) {
    realError = err;
  }
  await down();
  if (realError) throw realError;
});
