import type { Options } from 'tsup';

/** The one build every package shares: ESM + CJS with their own declarations, for Node 20. */
export const baseConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  shims: true,
  splitting: false,
};
