import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/fuzz/**'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration suites start real servers and SQLite files; one file at a time keeps the two cores honest.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'fuzz',
          include: ['test/integration/fuzz/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // The endpoint fuzz is CPU-bound in one process per file (server and client): one file per
          // core. Its own group, so it does not share the cores with the integration suites.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
