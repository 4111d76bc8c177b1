import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withWatchParentPreload } from './node-exec-argv.js';
import { watchParentPreload } from './watch-parent-preload.js';

const SHIPPED = fileURLToPath(new URL('../preload/watch-parent.cjs', import.meta.url));

describe('watchParentPreload', () => {
  it('is the file shipped in the package, found through its package.json', () => {
    expect(watchParentPreload()).toBe(SHIPPED);
    expect(existsSync(watchParentPreload())).toBe(true);
  });

  it('is added to execArgv once, replacing an inherited copy', () => {
    const inherited = ['--require', SHIPPED, '--enable-source-maps', `--require=${SHIPPED}`];
    expect(withWatchParentPreload(inherited)).toEqual(['--enable-source-maps', '--require', SHIPPED]);
  });
});
