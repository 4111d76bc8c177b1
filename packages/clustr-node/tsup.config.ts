import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.base.ts';

const bundled = ['@clustr/protocol', '@clustr/core', '@clustr/spawner', '@clustr/transport-ipc'];
const fromSources = {
  esbuildOptions(options: { conditions?: string[] }) {
    options.conditions = ['@clustr/source'];
  },
};

/**
 * One ESM and one CJS file: a spawned worker's start-up is dominated by the number of modules it
 * loads, so the protocol, the core, the spawner and the IPC transport are bundled in from their
 * sources. `ClustrError` recognises instances of every copy of itself (a `Symbol.for` brand), so
 * errors of `@clustr/transport-redis` pass `instanceof` here; the declarations keep importing
 * every `@clustr/*` package (they stay dependencies).
 *
 * The `clustr` command is a second, ESM-only entry with its shebang (tsup makes it executable).
 * `@clustr/transport-redis` stays outside it: not a dependency, imported only for `--redis`.
 */
export default defineConfig([
  { ...baseConfig, noExternal: bundled, ...fromSources, clean: ['!cli.js', '!cli.js.map'] },
  {
    ...baseConfig,
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    noExternal: bundled,
    external: ['@clustr/transport-redis'],
    ...fromSources,
  },
]);
