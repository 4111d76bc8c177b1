import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let preloadPath: string | undefined;

/**
 * Absolute path of the preload that makes a Node child exit when its parent is gone: the one file
 * in the `@clustr/spawner` package, found through the package's `package.json` rather than next to
 * this module, so a copy of this code bundled into another package (the `clustr-node` facade)
 * finds it too. Resolved on first use, then remembered.
 */
export function watchParentPreload(): string {
  preloadPath ??= join(
    dirname(createRequire(import.meta.url).resolve('@clustr/spawner/package.json')),
    'preload',
    'watch-parent.cjs',
  );
  return preloadPath;
}
