import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Every scenario file runs a whole cluster of real processes: one file at a time on 2 cores
// keeps the figures honest. Timeouts are generous because other work may share the machine;
// each scenario still bounds its own waits and says what it was waiting for.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      include: ['scenarios/**/*.reliability.test.ts'],
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  }),
);
