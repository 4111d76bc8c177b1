import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.base.ts';

/**
 * One ESM and one CJS file: a spawned worker's start-up is dominated by the number of modules it
 * loads, so the protocol, the core, the spawner and the IPC transport are bundled in from their
 * sources. `ClustrError` recognises instances of every copy of itself (a `Symbol.for` brand), so
 * errors of `@clustr/transport-redis` pass `instanceof` here; the declarations keep importing
 * every `@clustr/*` package (they stay dependencies).
 */
export default defineConfig({
  ...baseConfig,
  noExternal: ['@clustr/protocol', '@clustr/core', '@clustr/spawner', '@clustr/transport-ipc'],
  esbuildOptions(options) {
    options.conditions = ['@clustr/source'];
  },
});
