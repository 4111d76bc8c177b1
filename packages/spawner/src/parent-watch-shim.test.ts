import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { holdParentWatch, isParentWatchSupported, withParentWatch } from './parent-watch-shim.js';

describe('withParentWatch', () => {
  it('runs the command through /bin/sh, named clustr-watch, its arguments untouched', () => {
    const [shell, flag, script, name, ...rest] = withParentWatch(['bash', '/a b/job.sh', '--x=$HOME']);
    expect([shell, flag, name]).toEqual(['/bin/sh', '-c', 'clustr-watch']);
    expect(rest).toEqual(['bash', '/a b/job.sh', '--x=$HOME']);
    // The command is exec'd with "$@": no word of it is ever parsed by the shell.
    expect(script).toMatch(/exec 5<&- "\$@"$/);
    expect(spawnSync('/bin/sh', ['-n', '-c', script!]).status).toBe(0);
  });

  it('hands the command its arguments as they are', async () => {
    const [shell, ...args] = withParentWatch(['printf', '%s|', 'a b', '$HOME', '"q"', '']);
    const child = spawn(shell!, args, {
      stdio: ['ignore', 'pipe', 'inherit', 'ignore', 'ignore', 'pipe'],
      detached: true,
    });
    holdParentWatch(child);
    const exited = once(child, 'exit');
    expect(await text(child.stdout!)).toBe('a b|$HOME|"q"||');
    expect(await exited).toEqual([0, null]);
  });

  it('is used on every platform but Windows', () => {
    expect(isParentWatchSupported('linux')).toBe(true);
    expect(isParentWatchSupported('darwin')).toBe(true);
    expect(isParentWatchSupported('win32')).toBe(false);
  });
});
