import { fileURLToPath } from 'node:url';

/** Options of the parent's execArgv that make no sense in a worker, with whether they take a value. */
const DROPPED_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['-e', true],
  ['--eval', true],
  ['-p', true],
  ['--print', true],
  ['-i', false],
  ['--interactive', false],
  ['-c', false],
  ['--check', false],
  ['--test', false],
  ['--watch', false],
  ['--watch-path', true],
  ['--watch-preserve-output', false],
]);

/**
 * The parent's execArgv as a worker should inherit it: without `-e`/`-p` (they would run the
 * parent's inline code instead of the worker's file), `--test`, `--watch` and the like.
 */
export function inheritableExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const takesValue = DROPPED_OPTIONS.get(name);
    if (takesValue === undefined) {
      kept.push(arg);
      continue;
    }
    if (takesValue && name === arg) index++;
  }
  return kept;
}

/** Absolute path of the preload that makes a Node child exit when its parent is gone. */
export const WATCH_PARENT_PRELOAD = fileURLToPath(new URL('../preload/watch-parent.cjs', import.meta.url));

/** `execArgv` with `--require <preload>` added once (a child inherits it from its parent). */
export function withWatchParentPreload(execArgv: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    if ((arg === '--require' || arg === '-r') && execArgv[index + 1] === WATCH_PARENT_PRELOAD) {
      index++;
      continue;
    }
    if (arg === `--require=${WATCH_PARENT_PRELOAD}`) continue;
    result.push(arg);
  }
  result.push('--require', WATCH_PARENT_PRELOAD);
  return result;
}
