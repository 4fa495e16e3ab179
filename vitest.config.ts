import { defineConfig } from 'vitest/config';

/**
 * Four suites. Unit tests are pure and run in parallel. Integration tests run against the real
 * Neo4j and Redis (started by the global setup when none is configured), one file at a time,
 * because they share one graph and one Redis. End-to-end tests drive the audit console in Debian's
 * Chromium against the real service; they share the integration suite's Neo4j and Redis, and run
 * one file at a time in the same sequence as the integration files. The fault suite starts its own
 * Neo4j, Redis and idgraph processes, kills them under load and times the answers: it runs in a
 * group of its own (`groupOrder`), never beside another suite on a busy machine.
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
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
