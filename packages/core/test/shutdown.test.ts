import type { ClustrError } from '@clustr/protocol';
import { createMemoryTransport } from '@clustr-internal/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Master, Worker } from '../src/index.js';
import type { ShutdownReason } from '../src/shutdown-types.js';
import { userMessages } from './user-messages.js';

const W1 = '0b7e1c5a-2f3d-4e6b-8a9c-1d2e3f4a5b6c';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('shutdown (in one process)', () => {
  it('runs the hooks on close() with { kind: "close" }, delivers what they publish, drops what comes after', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport, handleSignals: false });
    await master.ready();
    const errors: ClustrError[] = [];
    master.on('error', (error) => errors.push(error));
    const reasons: ShutdownReason[] = [];
    master.onShutdown(async (reason) => {
      reasons.push(reason);
      await new Promise((resolve) => setImmediate(resolve));
      master.publish('public', 'from the hook');
    });
    let afterHooks: unknown;
    master.once('close', () => undefined);
    const closing = master.close();
    // A timer of the program's that fires while the process leaves: no throw, counted, reported once.
    const leaving = new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        try {
          master.publish('public', 'late');
        } catch (error) {
          afterHooks = error;
        }
      }, 1);
      void closing.finally(() => {
        clearInterval(tick);
        resolve();
      });
    });
    await closing;
    await leaving;
    expect(afterHooks).toBeUndefined();
    expect(reasons).toEqual([{ kind: 'close' }]);
    expect(userMessages(transport).map((m) => m.dataJson)).toContain('"from the hook"');
    expect(() => master.publish('public', 'after close')).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_CLOSED' }),
    );
    const dropped = errors.filter((e) => e.code === 'ERR_CLUSTR_CLOSED');
    expect(dropped.length).toBeLessThanOrEqual(1);
  });

  it('obeys a kill order after its hooks, with { kind: "kill", code, from }, and exits with the code', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport, handleSignals: false });
    await worker.ready();
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const events: string[] = [];
    worker.onShutdown(async (reason) => {
      events.push(`hook ${reason.kind} ${reason.kind === 'kill' ? reason.code : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push('hook done');
    });
    worker.on('close', () => events.push('close'));
    transport.inject(`kill:${W1}`, { meta: { group: 'master' }, data: 7 });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(7), { timeout: 5_000 });
    expect(events).toEqual(['hook kill 7', 'hook done', 'close']);
  });

  it('stops gracefully on SIGTERM (exit 0), and a second SIGINT exits at once with 130', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport, shutdownTimeoutMs: 2_000 });
    await worker.ready();
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let release!: () => void;
    const reasons: ShutdownReason[] = [];
    worker.onShutdown((reason) => {
      reasons.push(reason);
      return new Promise<void>((resolve) => (release = resolve));
    });
    process.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(reasons).toEqual([{ kind: 'signal', signal: 'SIGTERM' }]));
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    release();
    await vi.waitFor(() => expect(exit).toHaveBeenLastCalledWith(0), { timeout: 5_000 });
    // Left: the listeners are gone with it.
    expect(process.listeners('SIGTERM')).toHaveLength(0);
  });

  it('leaves signals alone with handleSignals: false, and checks its shutdown options', () => {
    const before = process.listenerCount('SIGTERM');
    const master = Master.create({ transport: createMemoryTransport(), handleSignals: false });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    void master.close();
    expect(() => Master.create({ shutdownTimeoutMs: -1 })).toThrowError(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: expect.stringContaining('option "shutdownTimeoutMs" -1 is not valid'),
      }),
    );
    expect(() => Master.create({ handleSignals: 'yes' as never })).toThrowError(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: expect.stringContaining('option "handleSignals" "yes" is not valid'),
      }),
    );
  });
});
