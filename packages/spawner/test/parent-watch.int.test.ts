import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { machineCoreCount } from '../src/cpu-affinity.js';
import { FOREIGN_GROUP_KILL_GRACE_MS, PARENT_WATCH_FD } from '../src/defaults.js';
import {
  commandLineOf,
  cpusAllowed,
  field,
  fixture,
  groupMembers,
  isAlive,
  nextMessage,
  spawn,
  stopAll,
  waitUntil,
} from './helpers.js';
import type { TreeReport } from './tree-shape.js';

afterEach(stopAll);

/** The group's watch outlives what it ends by the grace, no more (plus scheduling). */
const GROUP_GONE_MS = FOREIGN_GROUP_KILL_GRACE_MS + 500;
const bash = (file: string, args: string[] = []) => ({
  file: fixture(file),
  command: 'bash',
  args,
  restart: 'never',
});

function fdsOf(pid: number): Map<number, string> {
  const dir = `/proc/${pid}/fd`;
  return new Map(readdirSync(dir).map((fd) => [Number(fd), readlinkSync(`${dir}/${fd}`)]));
}

function watchOf(pgid: number): number[] {
  return groupMembers(pgid).filter((pid) => commandLineOf(pid).includes('clustr-watch'));
}

describe('the parent watch of a non-Node child', () => {
  it('runs the command itself under the pid of the handle: its fds, and a watch that holds none of them', async () => {
    const [handle] = spawn([bash('sleepers.sh')]);
    const report = await nextMessage(handle!, field<TreeReport>('report'), 'the bash worker to report');
    const pid = handle!.pid!;
    expect(report.pid).toBe(pid);
    expect(commandLineOf(pid)).toBe(`bash ${fixture('sleepers.sh')}`);
    const fds = fdsOf(pid);
    expect(fds.get(3)).toMatch(/^socket:/);
    expect(fds.get(4)).toMatch(/^socket:/);
    expect(fds.has(PARENT_WATCH_FD)).toBe(false);
    // The watch sets its fds up on its own schedule, maybe after the worker reported.
    const isSetUp = (watch: number) => fdsOf(watch).get(2) === '/dev/null';
    await waitUntil(() => watchOf(pid).some(isSetUp), 'the watch to set its fds up', 5_000);
    const [watch, ...more] = watchOf(pid);
    expect(more).toEqual([]);
    const watchFds = fdsOf(watch!);
    // It reads the watch pipe as its stdin; its output is /dev/null and fds 3-4 are closed: the
    // link and an output pipe end with the worker. (Other fds the test runner leaks may remain.)
    expect(watchFds.get(0)).toMatch(/^socket:/);
    expect([watchFds.get(1), watchFds.get(2)]).toEqual(['/dev/null', '/dev/null']);
    expect([3, 4, PARENT_WATCH_FD].filter((fd) => watchFds.has(fd))).toEqual([]);
  });

  it("reports the command's own exit code and signal", async () => {
    const [code, signal] = spawn([
      bash('exit-with.sh', ['code', '7']),
      bash('exit-with.sh', ['signal', 'USR1']),
    ]);
    expect(await code!.exited).toEqual({ code: 7, signal: null });
    expect(await signal!.exited).toEqual({ code: null, signal: 'SIGUSR1' });
  });

  it('pins the command itself with taskset', async () => {
    const cpu = machineCoreCount() - 1;
    const [handle] = spawn([{ ...bash('sleepers.sh'), cpu }]);
    await nextMessage(handle!, field('report'), 'the pinned bash worker to report');
    expect(commandLineOf(handle!.pid!)).toMatch(/^bash /);
    expect(cpusAllowed(handle!.pid!)).toBe(String(cpu));
  });

  it('stop() ends the whole group: the worker, its sleeps and its watch', async () => {
    const [handle] = spawn([bash('sleepers.sh')]);
    const report = await nextMessage(handle!, field<TreeReport>('report'), 'the bash worker to report');
    const pgid = handle!.pid!;
    expect(groupMembers(pgid)).toEqual(
      expect.arrayContaining([report.pid, ...report.children.map((child) => child.pid), ...watchOf(pgid)]),
    );
    expect(await handle!.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    await waitUntil(
      () => groupMembers(pgid).length === 0,
      'the stopped worker group to be empty',
      GROUP_GONE_MS,
    );
  });

  it('ends what a worker left in its group once the worker exited', async () => {
    const [handle] = spawn([bash('leave-behind.sh')]);
    const left = await nextMessage(
      handle!,
      field<{ pid: number; sleep: number }>('left'),
      'the worker to report',
    );
    handle!.send('exit');
    expect(await handle!.exited).toEqual({ code: 0, signal: null });
    await waitUntil(
      () => !isAlive(left.sleep),
      'the sleep the exited worker left behind to end',
      GROUP_GONE_MS,
    );
  });
});
