import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { field, fixture, nextMessage, spawn, stopAll, TSX_EXEC_ARGV } from './helpers.js';

interface Hello {
  pid: number;
  restarts: number;
  cpu?: number;
}

afterEach(stopAll);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('reload', () => {
  it('starts the new incarnation first, hands over when it is ready, then retires the old one', async () => {
    const [handle] = spawn([{ file: fixture('reloadable.ts'), execArgv: TSX_EXEC_ARGV, cpu: 1 }]);
    const first = await nextMessage(handle!, field<Hello>('hello'), 'hello of the first incarnation');
    await handle!.ready;
    const exits: unknown[] = [];
    handle!.on('exit', (info) => exits.push(info));
    const retired = nextMessage(handle!, field<number>('retired'), 'the old incarnation retired');
    const second = nextMessage(handle!, field<Hello>('hello'), 'hello of the new incarnation');
    const result = await handle!.reload();
    expect((await second).pid).toBe(result.pid);
    expect(await retired).toBe(first.pid);
    expect(result).toMatchObject({
      workerId: handle!.workerId,
      previousPid: first.pid,
      previousExit: { code: 0, signal: null },
    });
    expect(result.pid).not.toBe(first.pid);
    // The new incarnation counts as a start again, with the same pin; the slot never exited.
    expect((await second).restarts).toBe(1);
    expect((await second).cpu).toBe(1);
    expect(handle!.restarts).toBe(1);
    expect(handle!.pid).toBe(result.pid);
    expect(handle!.state).toBe('running');
    expect(exits).toEqual([]);
    expect(isAlive(first.pid)).toBe(false);
    expect(isAlive(result.pid)).toBe(true);
  });

  it('keeps the old incarnation when the new one crashes at start, and rejects with ERR_CLUSTR_RELOAD_FAILED', async () => {
    const crashFile = join(mkdtempSync(join(tmpdir(), 'clustr-reload-')), 'crash');
    const [handle] = spawn([
      { file: fixture('reloadable.ts'), execArgv: TSX_EXEC_ARGV, env: { RELOAD_CRASH_FILE: crashFile } },
    ]);
    const first = await nextMessage(handle!, field<Hello>('hello'), 'hello of the first incarnation');
    await handle!.ready;
    writeFileSync(crashFile, '');
    await expect(handle!.reload({ readyTimeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'ERR_CLUSTR_RELOAD_FAILED',
      message: expect.stringMatching(
        new RegExp(
          `^worker ${handle!.workerId} \\(.*reloadable\\.ts\\): its new incarnation \\(pid \\d+\\) exited before it was ready \\(exit code 3\\); the old one keeps running$`,
        ),
      ),
    });
    expect(handle!.pid).toBe(first.pid);
    expect(handle!.state).toBe('running');
    expect(handle!.restarts).toBe(0);
    expect(isAlive(first.pid)).toBe(true);
    // Bad options are refused the same way, without starting anything.
    await expect(handle!.reload({ readyTimeoutMs: 'soon' as never })).rejects.toMatchObject({
      code: 'ERR_CLUSTR_INVALID_OPTION',
    });
  });

  it('refuses a reload of a worker that is not running, or while another one is under way', async () => {
    const [handle] = spawn([{ file: fixture('reloadable.ts'), execArgv: TSX_EXEC_ARGV }]);
    await expect(handle!.reload()).rejects.toMatchObject({
      code: 'ERR_CLUSTR_RELOAD_FAILED',
      message: expect.stringContaining('was not started: it is starting'),
    });
    await handle!.ready;
    const first = handle!.reload();
    await expect(handle!.reload()).rejects.toMatchObject({
      message: expect.stringContaining('another reload is under way'),
    });
    await first;
  });
});
