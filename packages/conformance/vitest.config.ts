import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Each file runs a whole cluster of real processes; on 2 cores, one file at a time is faster
// and keeps timings honest.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { fileParallelism: false, testTimeout: 60_000 } }),
);
