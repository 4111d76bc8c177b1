import type { ExitInfo, RestartInfo } from '@clustr/spawner';
import { afterEach, describe, expect, it } from 'vitest';
import { field, fixture, nextEvent, nextMessage, spawn, stopAll, TSX_EXEC_ARGV } from './helpers.js';

interface Hello {
  pid: number;
  environment: { workerId: string };
}

const worker = { file: fixture('node-worker.ts'), execArgv: TSX_EXEC_ARGV };

afterEach(stopAll);

describe('restarts', () => {
  it('restarts a worker that exits 1 with backoff under the same workerId; exit 0 is not restarted', async () => {
    const [handle] = spawn([{ ...worker, restart: { initialDelayMs: 100, maxDelayMs: 1000 } }]);
    const hellos: Hello[] = [];
    const restarts: RestartInfo[] = [];
    const exits: ExitInfo[] = [];
    handle!.on('restart', (info) => restarts.push(info));
    handle!.on('exit', (info) => exits.push(info));
    const observedDelays: number[] = [];
    for (const attempt of [1, 2]) {
      hellos.push(await nextMessage(handle!, field<Hello>('hello'), `hello of run ${attempt}`));
      handle!.send({ do: 'exit', code: 1 });
      await nextEvent(handle!, 'exit', `exit of run ${attempt}`);
      const exitedAt = performance.now();
      expect(handle!.state).toBe('restarting');
      await nextEvent(handle!, 'spawn', `restart ${attempt}`);
      observedDelays.push(performance.now() - exitedAt);
      expect(handle!.restarts).toBe(attempt);
    }
    hellos.push(await nextMessage(handle!, field<Hello>('hello'), 'hello of run 3'));
    handle!.send({ do: 'exit', code: 0 });
    expect(await handle!.exited).toEqual({ code: 0, signal: null });
    expect(handle!.state).toBe('exited');
    expect(exits).toEqual([
      { code: 1, signal: null },
      { code: 1, signal: null },
      { code: 0, signal: null },
    ]);
    expect(restarts).toEqual([
      { attempt: 1, delayMs: 100 },
      { attempt: 2, delayMs: 200 },
    ]);
    expect(observedDelays[0]).toBeGreaterThanOrEqual(95);
    expect(observedDelays[1]).toBeGreaterThanOrEqual(195);
    expect(new Set(hellos.map((hello) => hello.environment.workerId))).toEqual(new Set([handle!.workerId]));
    expect(new Set(hellos.map((hello) => hello.pid)).size).toBe(3);
  });

  it('restarts after a signal under on-failure', async () => {
    const [handle] = spawn([{ ...worker, restart: { initialDelayMs: 10 } }]);
    await handle!.ready;
    const firstPid = handle!.pid!;
    process.kill(firstPid, 'SIGKILL');
    const [exit] = await nextEvent(handle!, 'exit', 'the exit after SIGKILL');
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    await nextEvent(handle!, 'ready', 'the restarted worker to be ready');
    expect(handle!.pid).not.toBe(firstPid);
  });

  it('stops a crash loop at the limit and reports gave-up', async () => {
    const [handle] = spawn([
      {
        file: fixture('crash.ts'),
        execArgv: TSX_EXEC_ARGV,
        args: ['3'],
        restart: { initialDelayMs: 20, maxDelayMs: 40, maxRestarts: 3 },
      },
    ]);
    const restarts: RestartInfo[] = [];
    const workerIds: string[] = [];
    handle!.on('restart', (info) => restarts.push(info));
    handle!.on('message', (message) => {
      const crashed = field<{ workerId: string }>('crashed')(message);
      if (crashed) workerIds.push(crashed.workerId);
    });
    const gaveUp = nextEvent(handle!, 'gave-up', "'gave-up'", 20_000);
    const final = await handle!.exited;
    expect(await gaveUp).toEqual([{ code: 3, signal: null }]);
    expect(final).toEqual({ code: 3, signal: null });
    expect(handle!.state).toBe('gave-up');
    expect(handle!.restarts).toBe(3);
    expect(restarts).toEqual([
      { attempt: 1, delayMs: 20 },
      { attempt: 2, delayMs: 40 },
      { attempt: 3, delayMs: 40 },
    ]);
    expect(workerIds).toEqual([handle!.workerId, handle!.workerId, handle!.workerId, handle!.workerId]);
    await expect(handle!.ready).rejects.toMatchObject({ code: 'ERR_CLUSTR_SPAWN_FAILED' });
  });

  it("'always' restarts a clean exit; 'never' restarts nothing", async () => {
    const [always, never] = spawn([
      { ...worker, restart: { policy: 'always', initialDelayMs: 10 } },
      { ...worker, restart: 'never' },
    ]);
    await Promise.all([always!.ready, never!.ready]);
    always!.send({ do: 'exit', code: 0 });
    never!.send({ do: 'exit', code: 1 });
    await nextEvent(always!, 'restart', "'always' to restart after exit 0");
    expect(await never!.exited).toEqual({ code: 1, signal: null });
    expect(never!.state).toBe('exited');
    expect(never!.restarts).toBe(0);
  });
});
