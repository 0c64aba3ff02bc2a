// `npm test` runs both projects in one vitest run, so CI gets one closing summary line.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        extends: './vitest.e2e.config.ts',
        test: { name: 'e2e' },
      },
    ],
  },
});
