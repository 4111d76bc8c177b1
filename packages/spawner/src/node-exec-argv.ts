import { watchParentPreload } from './watch-parent-preload.js';

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

/** `execArgv` with `--require <preload>` added once (a child inherits it from its parent). */
export function withWatchParentPreload(execArgv: readonly string[]): string[] {
  const preload = watchParentPreload();
  const result: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    if ((arg === '--require' || arg === '-r') && execArgv[index + 1] === preload) {
      index++;
      continue;
    }
    if (arg === `--require=${preload}`) continue;
    result.push(arg);
  }
  result.push('--require', preload);
  return result;
}
