// Vitest setupFiles entry for the e2e project: on a failed test, say where the cluster's
// component logs are.
import { beforeEach } from 'vitest';
import { componentLogsHint } from './helpers.ts';

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`[testbed] ${componentLogsHint()}`);
  });
});
