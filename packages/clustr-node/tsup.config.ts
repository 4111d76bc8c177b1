import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.base.ts';

/**
 * One ESM and one CJS file: a spawned worker's start-up is dominated by the number of modules it
 * loads, so the core, the spawner and the IPC transport are bundled in from their sources. The
 * protocol stays external, so `ClustrError` is one class shared with `@clustr/transport-redis`;
 * the declarations keep importing every `@clustr/*` package (they stay dependencies).
 */
export default defineConfig({
  ...baseConfig,
  noExternal: ['@clustr/core', '@clustr/spawner', '@clustr/transport-ipc'],
  esbuildOptions(options) {
    options.conditions = ['@clustr/source'];
  },
});
