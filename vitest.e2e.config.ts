// End-to-end tests against the local test cluster (kwok-simulated nodes, real control plane).
// Run: npx vitest run --config vitest.e2e.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/testbed/global-setup.ts'],
    setupFiles: ['test/e2e/testbed/setup-file.ts'],
    // One cluster shared by every file: run files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
