import { ClustrError, type Envelope } from '@clustr/protocol';
import { createMemoryTransport } from '@clustr-internal/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Master, Worker } from '../src/index.js';
import { userMessages } from './user-messages.js';

/** A workerId of the shape processes claim (a UUID). */
const W1 = '0b7e1c5a-2f3d-4e6b-8a9c-1d2e3f4a5b6c';

function nextMessage(subscribe: (handler: (m: Envelope) => void) => () => void): Promise<Envelope> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), 5_000);
    const off = subscribe((message) => {
      clearTimeout(timer);
      off();
      resolve(message);
    });
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Master', () => {
  it('subscribes public, master, confirmation and its rpc channel, and joins as group "master" without workerId', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const [rpc, ...others] = [...transport.subscribed].sort().reverse();
    // A master's rpc id is no workerId a child could claim: `master.<uuid>`.
    expect(rpc).toMatch(/^rpc:master\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(others.reverse()).toEqual(['confirmation', 'master', 'presence:all', 'public']);
    expect(transport.self).toEqual({ workerId: undefined, group: 'master' });
    expect(master.workerId).toBeUndefined();
    await master.close();
  });

  it('queues what it publishes before ready() and sends it, in order, once subscriptions are live', async () => {
    const transport = createMemoryTransport();
    let open: () => void = () => undefined;
    transport.holdConnect(new Promise((resolve) => (open = resolve)));
    const master = Master.create({ transport });
    master.publish('public', 1);
    master.publish('web', 2);
    expect(transport.published).toEqual([]);
    open();
    await master.ready();
    expect(userMessages(transport).map((p) => [p.channel, p.dataJson, p.meta.json])).toEqual([
      ['public', '1', '{"group":"master"}'],
      ['web', '2', '{"group":"master"}'],
    ]);
    await master.close();
  });

  it('delivers public and private messages to their handlers with the sender’s meta', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const pub = nextMessage((h) => master.onPublic(h));
    master.publish('public', { hi: 1 });
    expect(await pub).toEqual({ meta: { group: 'master' }, data: { hi: 1 } });
    const priv = nextMessage((h) => master.onPrivate(h));
    transport.inject('master', { meta: { workerId: 'w1', group: 'web' }, data: 'report' });
    expect(await priv).toEqual({ meta: { workerId: 'w1', group: 'web' }, data: 'report' });
    await master.close();
  });

  it('checks every channel, also when a burst skips re-checking the same valid one', async () => {
    const master = Master.create({ transport: createMemoryTransport() });
    const invalid = expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_CHANNEL' });
    expect(() => master.publish(undefined as unknown as string, 1)).toThrowError(invalid);
    master.publish('public', 1);
    master.publish('public', 2);
    expect(() => master.publish('', 1)).toThrowError(invalid);
    expect(() => master.publish(undefined as unknown as string, 1)).toThrowError(invalid);
    await master.close();
  });

  it('refuses bad channels, bad data and bad kill arguments with ClustrErrors', async () => {
    const master = Master.create({ transport: createMemoryTransport() });
    expect(() => master.publish('kill:abc', 1)).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_CHANNEL' }),
    );
    expect(() => master.publish('', 1)).toThrowError(/channel "" is not one a process can publish to/);
    // @ts-expect-error JSON cannot carry a BigInt: a type error, and for JS callers a ClustrError
    expect(() => master.publish('public', 10n)).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_DATA' }),
    );
    // @ts-expect-error undefined as the whole value
    expect(() => master.publish('public', undefined)).toThrowError(/cannot be sent/);
    expect(() => master.killWorker('no spaces allowed', 0)).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_WORKER_ID' }),
    );
    expect(() => master.killWorker('w1', 256)).toThrowError(
      /exit code 256 is not valid \(an integer from 0 to 255\)/,
    );
    expect(() => master.killWorker('w1', -1)).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_EXIT_CODE' }),
    );
    expect(() => master.onPublic('nope' as never)).toThrowError(/onPublic handler "nope" is not a function/);
    await master.close();
  });

  it('sends a kill order on kill:<workerId> with the exit code as data', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    master.killWorker('w-7', 3);
    expect(userMessages(transport).at(-1)).toMatchObject({ channel: 'kill:w-7', dataJson: '3' });
    await master.close();
  });

  it('reports a throwing handler as ERR_CLUSTR_HANDLER_FAILED and still runs the others', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const errors: ClustrError[] = [];
    master.on('error', (error) => errors.push(error));
    master.onPublic(() => {
      throw new Error('user bug');
    });
    const second = nextMessage((h) => master.onPublic(h));
    master.publish('public', 'x');
    await second;
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['ERR_CLUSTR_HANDLER_FAILED', 'a message handler threw: user bug'],
    ]);
    await master.close();
  });

  it('turns transport errors into a process warning when nobody listens for "error"', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    transport.fail(new ClustrError('ERR_CLUSTR_BAD_FRAME', 'bad frame: test'));
    expect(warn).toHaveBeenCalledWith(
      'bad frame: test',
      expect.objectContaining({ code: 'ERR_CLUSTR_BAD_FRAME' }),
    );
    await master.close();
  });

  it('rejects ready() with ERR_CLUSTR_NO_TRANSPORT when it has no transport', async () => {
    const master = Master.create();
    await expect(master.ready()).rejects.toMatchObject({ code: 'ERR_CLUSTR_NO_TRANSPORT' });
    await master.close();
  });

  it('uses defaultTransport() when none is given', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ defaultTransport: () => transport });
    await master.ready();
    expect(master.transportName).toBe('memory');
    await master.close();
  });

  it('closes idempotently, closes the transport, and refuses publish, kill and spawn afterwards', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    const events: string[] = [];
    master.on('close', () => events.push('close'));
    await Promise.all([master.close(), master.close()]);
    await master[Symbol.asyncDispose]();
    expect(transport.isClosed).toBe(true);
    expect(events).toEqual(['close']);
    for (const act of [
      () => master.publish('public', 1),
      () => master.killWorker('w1'),
      () => master.spawn([]),
    ]) {
      expect(act).toThrowError(expect.objectContaining({ code: 'ERR_CLUSTR_CLOSED' }));
    }
  });

  it('counts confirmations through onConfirmation', async () => {
    const transport = createMemoryTransport();
    const master = Master.create({ transport });
    await master.ready();
    const fired: number[] = [];
    master.onConfirmation(2, 'up', (_last, all) => fired.push(all.length));
    for (let i = 0; i < 4; i++)
      transport.inject('confirmation', { meta: { workerId: `w${i}`, group: 'g' }, data: 'up' });
    expect(fired).toEqual([2, 2]);
    await master.close();
  });
});

describe('Worker', () => {
  it('requires a valid, unreserved group', () => {
    expect(() => Worker.create(undefined as never)).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_GROUP' }),
    );
    expect(() => Worker.create({} as never)).toThrowError(/Worker.create needs a group/);
    expect(() => Worker.create({ group: 'public' })).toThrowError(/group "public" is reserved/);
    expect(() => Worker.create({ group: 'has space' })).toThrowError(
      /group "has space" is not a valid group name/,
    );
    expect(() => Worker.create({ group: 'web', workerId: 'bad id' })).toThrowError(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_WORKER_ID' }),
    );
  });

  it('subscribes public, its group, its workerId, its kill, its rpc (one per incarnation) and its one-of-group channel', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport });
    await worker.ready();
    expect([...transport.subscribed].sort()).toEqual([
      W1,
      `kill:${W1}`,
      `one:${W1}`,
      'presence:all',
      'public',
      `rpc:${W1}.${process.pid}`,
      'web',
    ]);
    expect(transport.self).toEqual({ workerId: W1, group: 'web' });
    await worker.close();
  });

  it('gets a random UUID when started by hand', async () => {
    const worker = Worker.create({ group: 'web', transport: createMemoryTransport() });
    expect(worker.workerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await worker.close();
  });

  it('routes group and private messages to onGroup and onPrivate, and unsubscribes handlers', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport });
    await worker.ready();
    const group: unknown[] = [];
    const priv: unknown[] = [];
    const offGroup = worker.onGroup((m) => group.push(m.data));
    worker.onPrivate((m) => priv.push(m.data));
    transport.inject('web', { meta: { group: 'master' }, data: 'g1' });
    transport.inject(W1, { meta: { group: 'master' }, data: 'p1' });
    offGroup();
    transport.inject('web', { meta: { group: 'master' }, data: 'g2' });
    expect(group).toEqual(['g1']);
    expect(priv).toEqual(['p1']);
    await worker.close();
  });

  it('obeys a kill order: emits kill, closes, exits with the code', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport });
    await worker.ready();
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const kill = new Promise((resolve) => worker.once('kill', resolve));
    transport.inject(`kill:${W1}`, { meta: { group: 'master' }, data: 7 });
    expect(await kill).toEqual({ exitCode: 7, from: { group: 'master' } });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(7), { timeout: 5_000 });
    expect(transport.isClosed).toBe(true);
  });

  it('reports a kill order with an invalid exit code instead of exiting', async () => {
    const transport = createMemoryTransport();
    const worker = Worker.create({ group: 'web', workerId: W1, transport });
    await worker.ready();
    const errors: ClustrError[] = [];
    worker.on('error', (error) => errors.push(error));
    transport.inject(`kill:${W1}`, { meta: { group: 'master' }, data: 'soon' });
    expect(errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    await worker.close();
  });
});

describe('options', () => {
  it.each([
    ['a string', 'ipc'],
    ['an empty object', {}],
    ['null', null],
  ])('refuses a transport that is %s with ERR_CLUSTR_INVALID_OPTION', (_what, transport) => {
    expect(() => Master.create({ transport: transport as never })).toThrowError(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: expect.stringMatching(/is not a transport/),
      }),
    );
    expect(() => Worker.create({ group: 'web', transport: transport as never })).toThrowError(
      /is not a transport/,
    );
  });

  it('refuses options that are not an object, and a defaultTransport that is not a function', () => {
    expect(() => Master.create('x' as never)).toThrowError(/options "x" are not valid/);
    expect(() => Master.create({ defaultTransport: 'ipc' as never })).toThrowError(
      /defaultTransport "ipc" is not valid/,
    );
  });
});
