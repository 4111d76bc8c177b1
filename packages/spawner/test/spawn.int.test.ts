import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isClustrError } from '@clustr/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTR_ENV } from '../src/defaults.js';
import type { WorkerSlot } from '../src/worker-slot.js';
import {
  childrenOf,
  cpusAllowed,
  field,
  fixture,
  nextEvent,
  nextMessage,
  spawn,
  spawnAdopted,
  stopAll,
  TEST_TRANSPORT,
  TSX_EXEC_ARGV,
} from './helpers.js';

interface Hello {
  pid: number;
  before: Record<string, string | undefined>;
  left: string[];
  environment: unknown;
  custom: string | undefined;
  args: string[];
}

const worker = { file: fixture('node-worker.ts'), execArgv: TSX_EXEC_ARGV };

afterEach(stopAll);

describe('spawning Node workers', () => {
  it('hands the child its id in CLUSTR_* variables (taken out of process.env by the preload) and its transport in the welcome', async () => {
    const [handle] = spawn([{ ...worker, env: { FIXTURE_VALUE: 'from spec' }, args: ['a', 'b'] }], {
      parentId: 'parent-7',
    });
    const hello = await nextMessage(handle!, field<Hello>('hello'), 'the worker to say hello');
    // The program never sees them: a process it forks by other means cannot inherit them.
    expect(hello.before).toEqual({
      [CLUSTR_ENV.workerId]: undefined,
      [CLUSTR_ENV.parentId]: undefined,
      [CLUSTR_ENV.linkFd]: undefined,
    });
    expect(hello.environment).toEqual({
      workerId: handle!.workerId,
      parentId: 'parent-7',
      transport: TEST_TRANSPORT,
    });
    expect(hello.left).toEqual([]);
    expect(hello.custom).toBe('from spec');
    expect(hello.args).toEqual(['a', 'b']);
    expect(hello.pid).toBe(handle!.pid);
    // The descriptor (credentials, in real life) is nowhere in what the kernel shows of the child.
    const environ = readFileSync(`/proc/${hello.pid}/environ`, 'utf8');
    expect(environ).toContain(`${CLUSTR_ENV.workerId}=${handle!.workerId}`);
    expect(environ).toContain(`${CLUSTR_ENV.parentId}=parent-7`);
    expect(environ).toContain(`${CLUSTR_ENV.linkFd}=4`);
    expect(environ).not.toContain(TEST_TRANSPORT.module);
    expect(environ).not.toContain('CLUSTR_TRANSPORT');
  });

  it("delivers user process.send traffic to 'message', clustr frames to onFrame, and send() to the child", async () => {
    const { handles, adopted } = spawnAdopted([worker]);
    const handle = handles[0]!;
    const spawned = nextEvent(handle, 'spawn', "the 'spawn' event");
    await nextMessage(handle, field('hello'), 'the hello message');
    await handle.ready;
    expect(handle.state).toBe('running');
    const [pid] = await spawned;
    expect(pid).toBe(handle.pid);
    expect(adopted.links).toEqual([(handle as WorkerSlot).link]);
    expect(handle.send({ do: 'echo', value: { n: [1, 'two'] } })).toBe(true);
    expect(await nextMessage(handle, field('echo'), 'the echo')).toEqual({ n: [1, 'two'] });
    handle.send({ do: 'frame', data: 42 });
    handle.send({ do: 'echo', value: 'after frame' });
    await nextMessage(handle, field('echo'), 'the echo after the frame');
    expect(adopted.frames).toEqual([{ clustr: 1, channel: 'public', meta: { group: 'node' }, data: 42 }]);
    expect(adopted.badInput).toEqual([]);
  });

  it('pins workers to cpu 0 and cpu 1: the Node process itself, not a taskset left over', async () => {
    const handles = spawn([
      { ...worker, cpu: 0 },
      { ...worker, cpu: 1 },
    ]);
    await Promise.all(handles.map((handle) => handle.ready));
    for (const [cpu, handle] of handles.entries()) {
      const pid = handle.pid!;
      expect(cpusAllowed(pid)).toBe(String(cpu));
      expect(readlinkSync(`/proc/${pid}/exe`)).toBe(realpathSync(process.execPath));
    }
  });

  it('stops with the signal, then SIGKILL after the grace, without restarting', async () => {
    const [handle] = spawn([worker]);
    await handle!.ready;
    handle!.send({ do: 'ignore-sigterm' });
    await nextMessage(handle!, field('ignoring'), 'the worker to ignore SIGTERM');
    let restarts = 0;
    handle!.on('restart', () => restarts++);
    const exit = await handle!.stop({ timeoutMs: 300 });
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(handle!.state).toBe('stopped');
    expect(await handle!.exited).toEqual(exit);
    expect(handle!.pid).toBeUndefined();
    expect(restarts).toBe(0);
    expect(handle!.restarts).toBe(0);
  });

  it('holds the frames a child writes before anyone listens, for the first onFrame (late adopt)', async () => {
    // No adopt hook: like @clustr/core, whose transport takes the link a little later.
    const [handle] = spawn([worker]);
    await handle!.ready;
    handle!.send({ do: 'frame', data: 1 });
    handle!.send({ do: 'frame', data: 2 });
    handle!.send({ do: 'echo', value: 'after frames' });
    // The echo was written after the frames on the same pipe: both frames were read by now.
    await nextMessage(handle!, field('echo'), 'the echo after the frames');
    const frames: unknown[] = [];
    (handle as WorkerSlot).link!.onFrame((frame) => frames.push(frame));
    expect(frames).toEqual([
      { clustr: 1, channel: 'public', meta: { group: 'node' }, data: 1 },
      { clustr: 1, channel: 'public', meta: { group: 'node' }, data: 2 },
    ]);
    handle!.send({ do: 'frame', data: 3 });
    handle!.send({ do: 'echo', value: 'after frame 3' });
    await nextMessage(handle!, field('echo'), 'the echo after frame 3');
    expect(frames.map((frame) => (frame as { data: number }).data)).toEqual([1, 2, 3]);
  });

  it('refuses invalid stop options with a rejected promise and keeps the worker running', async () => {
    const [handle] = spawn([worker]);
    await handle!.ready;
    const pid = handle!.pid;
    for (const options of [null, 'SIGKILL', { signal: 'SIGNOPE' }, { timeoutMs: -1 }]) {
      await expect(handle!.stop(options as never)).rejects.toMatchObject({
        code: 'ERR_CLUSTR_INVALID_OPTION',
      });
    }
    expect(handle!.state).toBe('running');
    expect(handle!.pid).toBe(pid);
    handle!.send({ do: 'echo', value: 'still here' });
    expect(await nextMessage(handle!, field('echo'), 'the echo after refused stops')).toBe('still here');
    expect(await handle!.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('invalid specs', () => {
  const originalPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = originalPath;
  });

  it.each<[string, unknown, string]>([
    ['cpu 9', { cpu: 9 }, 'ERR_CLUSTR_INVALID_CPU'],
    ['cpu -1', { cpu: -1 }, 'ERR_CLUSTR_INVALID_CPU'],
    ['cpu 2.5', { cpu: 2.5 }, 'ERR_CLUSTR_INVALID_CPU'],
    ['cpu "a"', { cpu: 'a' }, 'ERR_CLUSTR_INVALID_CPU'],
    ['a missing file', { file: fixture('missing.ts') }, 'ERR_CLUSTR_FILE_NOT_FOUND'],
    ['no file', { file: undefined }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['an unknown command', { command: 'no-such-command-clustr' }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['args not strings', { args: [1] }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['env not strings', { env: { A: 1 } }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['an unknown restart policy', { restart: 'sometimes' }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['a cwd that does not exist', { cwd: '/no/such/dir' }, 'ERR_CLUSTR_INVALID_OPTION'],
    ['an unknown option', { cpus: 1 }, 'ERR_CLUSTR_INVALID_OPTION'],
  ])('refuses %s and starts none of the list', (_, patch, code) => {
    const before = childrenOf(process.pid);
    let thrown: unknown;
    try {
      spawn([worker, { ...worker, ...(patch as object) }]);
    } catch (error) {
      thrown = error;
    }
    expect(isClustrError(thrown) && thrown.code).toBe(code);
    expect(childrenOf(process.pid)).toEqual(before);
  });

  it('refuses cpu where taskset is missing (ERR_CLUSTR_AFFINITY_UNSUPPORTED) and starts nothing', () => {
    const before = childrenOf(process.pid);
    process.env.PATH = '/nonexistent-clustr-bin';
    expect(() => spawn([worker, { ...worker, cpu: 0 }])).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTR_AFFINITY_UNSUPPORTED',
        message: expect.stringMatching(/taskset/),
      }),
    );
    expect(childrenOf(process.pid)).toEqual(before);
  });
});
