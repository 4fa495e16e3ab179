import { defineConfig } from 'vitest/config';

/**
 * Two suites. Unit tests are pure and run in parallel. Integration tests run against the real Neo4j
 * and Redis (started by the global setup when none is configured), one file at a time, because
 * they share one graph and one Redis.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The unit suite shares two cores with the integration suite and Neo4j; the default 5 s
          // made a 60,000-line file test fail on a busy machine, not on its behaviour. A timeout
          // here only catches hangs: speed is measured by `npm run bench`.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
