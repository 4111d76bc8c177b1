import { defineConfig } from 'vitest/config';

/** Every package's vitest config spreads this: tests read workspace sources, never `dist`. */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@clustr/source'] },
  ssr: { resolve: { conditions: ['@clustr/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
