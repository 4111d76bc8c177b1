import { ClustrError, type Transport } from '@clustr/protocol';
import { createMemoryTransport } from '@clustr-internal/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_PENDING_MESSAGES, Master, Worker } from '../src/index.js';
import { userMessages } from './user-messages.js';

/** A workerId of the shape processes claim (a UUID). */
const W1 = '0b7e1c5a-2f3d-4e6b-8a9c-1d2e3f4a5b6c';

afterEach(() => {
  vi.restoreAllMocks();
});

const never = new Promise<void>(() => undefined);

describe('lifecycle edges', () => {
  it('closes at once while still connecting, and ready() then rejects with ERR_CLUSTR_CLOSED', async () => {
    const transport = createMemoryTransport();
    transport.holdConnect(never);
    const master = Master.create({ transport });
    const errors: ClustrError[] = [];
    master.on('error', (error) => errors.push(error));
    const started = Date.now();
    await master.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(master.ready()).rejects.toMatchObject({ code: 'ERR_CLUSTR_CLOSED' });
    expect(errors).toEqual([]);
  });

  it('stays closed when a transport still finishes joining after close(): no "ready", nothing queued is sent', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const published: string[] = [];
    // A transport that ignores close() for a connect in progress: the process must not join anyway.
    const transport: Transport = {
      name: 'late',
      connect: () => gate,
      subscribe: async () => undefined,
      unsubscribe: async () => undefined,
      publish: (channel) => void published.push(channel),
      onMessage: () => () => undefined,
      onError: () => () => undefined,
      describe: () => ({ name: 'late', module: 'file:///late.js', options: {} }),
      adopt: () => undefined,
      close: async () => undefined,
    };
    const master = Master.create({ transport });
    const events: string[] = [];
    master.on('ready', () => events.push('ready'));
    master.publish('public', 'queued');
    const closed = master.close();
    open();
    await expect(master.ready()).rejects.toMatchObject({ code: 'ERR_CLUSTR_CLOSED' });
    await closed;
    expect(published).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses to publish after ready() failed, with the reason, instead of queueing forever', async () => {
    const master = Master.create();
    await expect(master.ready()).rejects.toMatchObject({ code: 'ERR_CLUSTR_NO_TRANSPORT' });
    expect(() => master.publish('public', 1)).toThrowError(
      expect.objectContaining({
        code: 'ERR_CLUSTR_NO_TRANSPORT',
        message: expect.stringMatching(/^cannot publish: no transport/),
      }),
    );
    expect(() => master.killWorker('w1', 1)).toThrowError(/cannot publish/);
    await master.close();
  });

  it('bounds what it queues before ready()', async () => {
    const transport = createMemoryTransport();
    let open: () => void = () => undefined;
    transport.holdConnect(new Promise((resolve) => (open = resolve)));
    const master = Master.create({ transport });
    for (let i = 0; i < DEFAULT_MAX_PENDING_MESSAGES; i++) master.publish('public', i);
    expect(() => master.publish('public', 'one too many')).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_QUEUE_FULL' }),
    );
    open();
    await master.ready();
    expect(userMessages(transport)).toHaveLength(DEFAULT_MAX_PENDING_MESSAGES);
    await master.close();
  });

  it('still closes and exits on a kill order when a "kill" listener throws, and reports the throw', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport });
    await worker.ready();
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const errors: ClustrError[] = [];
    worker.on('error', (error) => errors.push(error));
    worker.on('kill', () => {
      throw new Error('listener bug');
    });
    transport.inject(`kill:${W1}`, { meta: { group: 'master' }, data: 4 });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(4), { timeout: 5_000 });
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['ERR_CLUSTR_HANDLER_FAILED', 'a "kill" listener threw: listener bug'],
    ]);
  });

  it('finishes close() — emits close — even when the transport fails to close', async () => {
    const transport = createMemoryTransport();
    transport.close = () => Promise.reject(new ClustrError('ERR_CLUSTR_TRANSPORT', 'close failed'));
    const master = Master.create({ transport });
    await master.ready();
    const closed = new Promise<void>((resolve) => master.once('close', resolve));
    await expect(master.close()).rejects.toMatchObject({ code: 'ERR_CLUSTR_TRANSPORT' });
    await closed;
  });
});
