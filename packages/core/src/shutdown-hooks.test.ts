import type { ClustrError } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { ShutdownHooks } from './shutdown-hooks.js';

const close = { kind: 'close' } as const;

describe('ShutdownHooks', () => {
  it('starts every hook in registration order, concurrently, and waits for all of them', async () => {
    const hooks = new ShutdownHooks();
    const events: string[] = [];
    let releaseFirst!: () => void;
    hooks.add(async () => {
      events.push('start 1');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      events.push('end 1');
    });
    hooks.add((reason) => {
      events.push(`start 2 (${reason.kind})`);
      // The first hook is still waiting: the second started without waiting for it.
      releaseFirst();
    });
    const outcome = await hooks.run(close, 5_000, () => undefined);
    expect(events).toEqual(['start 1', 'start 2 (close)', 'end 1']);
    expect(outcome).toEqual({ failed: 0, overran: 0 });
  });

  it('reports a hook that throws (sync or async) and still runs the others', async () => {
    const hooks = new ShutdownHooks();
    const reports: ClustrError[] = [];
    let ran = false;
    hooks.add(() => {
      throw new Error('sync bug');
    });
    hooks.add(async () => Promise.reject(new Error('async bug')));
    hooks.add(() => {
      ran = true;
    });
    const outcome = await hooks.run(close, 5_000, (error) => reports.push(error));
    expect(ran).toBe(true);
    expect(outcome).toEqual({ failed: 2, overran: 0 });
    expect(reports.map((e) => [e.code, e.message])).toEqual([
      ['ERR_CLUSTR_HANDLER_FAILED', 'shutdown hook 1 threw: sync bug'],
      ['ERR_CLUSTR_HANDLER_FAILED', 'shutdown hook 2 threw: async bug'],
    ]);
  });

  it('cuts hooks that hang at the deadline and names them', async () => {
    const hooks = new ShutdownHooks();
    const reports: ClustrError[] = [];
    hooks.add(() => undefined);
    hooks.add(() => new Promise<void>(() => undefined));
    const outcome = await hooks.run(close, 50, (error) => reports.push(error));
    expect(outcome).toEqual({ failed: 0, overran: 1 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      code: 'ERR_CLUSTR_TIMEOUT',
      message: expect.stringMatching(/^shutdown hook\(s\) 2 still running after shutdownTimeoutMs \(50 ms\)/),
      details: { hooks: [2], timeoutMs: 50, reason: 'close' },
    });
  });

  it('removes a hook with its remover, and runs a function registered twice twice', async () => {
    const hooks = new ShutdownHooks();
    let calls = 0;
    const hook = () => {
      calls++;
    };
    hooks.add(hook);
    const remove = hooks.add(hook);
    remove();
    remove();
    hooks.add(hook);
    await hooks.run(close, 1_000, () => undefined);
    expect(calls).toBe(2);
    expect(() => hooks.add('not a function' as never)).toThrowError(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: 'onShutdown hook "not a function" is not a function',
      }),
    );
  });
});
