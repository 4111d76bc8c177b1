import { ClustrError, encodeMeta } from '@clustr/protocol';
import { createMemoryTransport, eventually } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { Worker } from '../src/index.js';
import { busCluster } from './cluster-on-a-bus.js';

const code = (c: string) => expect.objectContaining({ code: c });

describe('request/reply', () => {
  it('asks a worker by workerId, the master by name, and lists methods in presence records', async () => {
    await using cluster = await busCluster();
    const { master } = cluster;
    master.onRequest<number, number>('double', ({ data }) => data * 2);
    const worker = await cluster.worker('calc', (w) => {
      w.onRequest<{ n: number }, number>('square', ({ data, meta }) => {
        expect(meta).toEqual({ group: 'master' });
        return data.n * data.n;
      });
    });
    expect(await master.request(worker.workerId, 'square', { n: 7 })).toBe(49);
    await cluster.knows(worker, [master.members()[0]!.id]);
    expect(await worker.request('master', 'double', 21)).toBe(42);
    // A process may ask itself: the request goes out on its own rpc channel and comes back.
    expect(await master.request('master', 'double', 4)).toBe(8);
    const record = master.members().find((m) => m.id === worker.workerId)!;
    expect(record).toMatchObject({ methods: ['square'], rpc: `${worker.workerId}.${process.pid}` });
    expect(master.members()[0]!.rpc).toMatch(/^master\.[0-9a-f-]{36}$/);
    expect(master.requestStats()).toEqual({ inFlight: 0, handling: 0, lateReplies: 0, droppedOne: 0 });
  });

  it('spreads requests to a group round-robin over the members that have the method', async () => {
    await using cluster = await busCluster();
    const counts = new Map<string, number>();
    const serve = (w: Worker) =>
      w.onRequest('work', () => {
        counts.set(w.workerId, (counts.get(w.workerId) ?? 0) + 1);
        return w.workerId;
      });
    await Promise.all([
      cluster.worker('pool', serve),
      cluster.worker('pool', serve),
      cluster.worker('pool', serve),
    ]);
    await cluster.worker('pool'); // a member without the method: never asked
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => cluster.master.request<string>('pool', 'work', i)),
    );
    expect(new Set(answers).size).toBe(3);
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it('fails at once with ERR_CLUSTR_NO_RESPONDER when nobody has the method (before any timer could fire)', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('idle');
    const { master } = cluster;
    const outcomes: unknown[] = [];
    const requests = [
      master.request(worker.workerId, 'nothing', 1),
      master.request('idle', 'nothing', 1),
      master.request('nobody', 'x', 1),
      master.request(crypto.randomUUID(), 'x', 1),
    ];
    for (const request of requests) request.catch((error: unknown) => outcomes.push(error));
    // Microtasks only: a rejection that waited for a timer or for the bus would not be here yet.
    await Promise.resolve();
    expect(outcomes).toEqual(Array(4).fill(code('ERR_CLUSTR_NO_RESPONDER')));
    expect((outcomes[0] as Error).message).toMatch(/nobody answers \(.* has no handler for "nothing"\)/);
    expect((outcomes[3] as Error).message).toMatch(/no live member is/);
  });

  it('carries what the handler threw as ERR_CLUSTR_REMOTE: name, message, code; the stack only if exposed', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('err', (w) => {
      w.onRequest('fail', () => {
        throw Object.assign(new RangeError('too big'), { code: 'E_BIG' });
      });
      w.onRequest('reject', async () => Promise.reject(new Error('nope')), { exposeStack: true });
      w.onRequest('throw-string', () => {
        throw 'plain';
      });
    });
    const failure = await cluster.master.request(worker.workerId, 'fail', 1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClustrError);
    expect(failure).toMatchObject({
      code: 'ERR_CLUSTR_REMOTE',
      details: { remote: { name: 'RangeError', message: 'too big', code: 'E_BIG' }, method: 'fail' },
    });
    expect((failure as ClustrError).details?.remote).not.toHaveProperty('stack');
    const rejected = (await cluster.master
      .request(worker.workerId, 'reject', 1)
      .catch((e) => e)) as ClustrError;
    expect(rejected.details).toMatchObject({
      remote: { stack: expect.stringMatching(/Error: nope\n\s+at /) },
    });
    await expect(cluster.master.request(worker.workerId, 'throw-string', 1)).rejects.toMatchObject({
      details: { remote: { name: 'Error', message: 'plain' } },
    });
  });

  it('refuses data JSON cannot carry in the caller’s stack; a bad reply is reported and fails as REMOTE', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('bad', (w) => {
      w.onRequest('bigint', () => 1n);
      w.onRequest('nothing', () => undefined);
    });
    expect(() => cluster.master.request(worker.workerId, 'bigint', 1n as unknown)).toThrowError(
      code('ERR_CLUSTR_INVALID_DATA'),
    );
    await expect(cluster.master.request(worker.workerId, 'bigint', 1)).rejects.toMatchObject({
      code: 'ERR_CLUSTR_REMOTE',
      details: { remote: { code: 'ERR_CLUSTR_INVALID_DATA' } },
    });
    expect(cluster.errors.get(worker)).toEqual([code('ERR_CLUSTR_INVALID_DATA')]);
    expect(await cluster.master.request(worker.workerId, 'nothing', 1)).toBeNull();
  });

  it('times out, drops and counts the late reply', async () => {
    await using cluster = await busCluster();
    let answer: (value: string) => void = () => undefined;
    const worker = await cluster.worker('slow', (w) => {
      w.onRequest('slow', () => new Promise<string>((resolve) => (answer = resolve)));
    });
    await expect(cluster.master.request(worker.workerId, 'slow', 1, { timeoutMs: 30 })).rejects.toThrowError(
      /got no reply from .* within 30 ms/,
    );
    answer('too late');
    await eventually(() => cluster.master.requestStats().lateReplies === 1, 'the late reply to be counted');
    expect(cluster.master.requestStats().inFlight).toBe(0);
  });

  it('aborts with ERR_CLUSTR_ABORTED, before and while in flight', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('ab', (w) => w.onRequest('hang', () => new Promise(() => undefined)));
    await expect(
      cluster.master.request(worker.workerId, 'hang', 1, { signal: AbortSignal.abort() }),
    ).rejects.toEqual(code('ERR_CLUSTR_ABORTED'));
    const controller = new AbortController();
    const pending = cluster.master.request(worker.workerId, 'hang', 1, { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toMatchObject({
      code: 'ERR_CLUSTR_ABORTED',
      cause: new Error('user gave up'),
    });
    expect(cluster.master.requestStats().inFlight).toBe(0);
  });

  it('fails with ERR_CLUSTR_NO_RESPONDER as soon as the member asked leaves; retries go to another', async () => {
    await using cluster = await busCluster();
    const leaver = await cluster.worker('r', (w) => w.onRequest('job', () => new Promise(() => undefined)));
    const pending = cluster.master.request(leaver.workerId, 'job', 1, { timeoutMs: 60_000 });
    await eventually(() => leaver.requestStats().handling === 1, 'the request at the worker');
    void leaver.close();
    await expect(pending).rejects.toThrowError(/left before it answered/);
    const hangs = await cluster.worker('r2', (w) => w.onRequest('job', () => new Promise(() => undefined)));
    const answers = await cluster.worker('r2', (w) => w.onRequest('job', () => w.workerId));
    // Round-robin picks the sorted first member first: make it the one that never answers.
    const first = [hangs.workerId, answers.workerId].sort()[0];
    if (first !== hangs.workerId) await cluster.master.request('r2', 'job', 0);
    expect(await cluster.master.request('r2', 'job', 1, { timeoutMs: 50, retries: 1 })).toBe(
      answers.workerId,
    );
  });

  it('allows one handler per method; its remover takes it off the record at once', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('one');
    const off = worker.onRequest('m', () => 1);
    expect(() => worker.onRequest('m', () => 2)).toThrowError(code('ERR_CLUSTR_INVALID_OPTION'));
    expect(() => worker.onRequest('has space', () => 2)).toThrowError(/method "has space" is not valid/);
    expect(() => worker.onRequest('m2', () => 2, { stack: true } as never)).toThrowError(/stack/);
    const methodsAtMaster = () => cluster.master.members().find((m) => m.id === worker.workerId)?.methods;
    await eventually(() => methodsAtMaster()?.join() === 'm', 'the re-beat with method m');
    off();
    await eventually(() => methodsAtMaster() === undefined, 'the re-beat without methods');
    await expect(cluster.master.request(worker.workerId, 'm', 1)).rejects.toEqual(
      code('ERR_CLUSTR_NO_RESPONDER'),
    );
  });

  it('rejects what is pending with ERR_CLUSTR_CLOSED when the requester closes', async () => {
    await using cluster = await busCluster();
    const worker = await cluster.worker('c', (w) => w.onRequest('hang', () => new Promise(() => undefined)));
    const pending = cluster.master.request(worker.workerId, 'hang', 1);
    await cluster.master.close();
    await expect(pending).rejects.toEqual(code('ERR_CLUSTR_CLOSED'));
    expect(() => cluster.master.request(worker.workerId, 'hang', 1)).toThrowError(code('ERR_CLUSTR_CLOSED'));
  });
});

describe('deliver: "one"', () => {
  it('gives each message to exactly one member of the group, round-robin', async () => {
    await using cluster = await busCluster();
    const got = new Map<string, number[]>();
    const listen = (w: Worker) =>
      w.onGroup<number>(({ data }) => got.set(w.workerId, [...(got.get(w.workerId) ?? []), data]));
    const workers = await Promise.all([
      cluster.worker('q', listen),
      cluster.worker('q', listen),
      cluster.worker('q', listen),
    ]);
    for (let i = 0; i < 300; i++) cluster.master.publish('q', i, { deliver: 'one' });
    await eventually(() => [...got.values()].flat().length === 300, '300 deliveries');
    expect(workers.map((w) => got.get(w.workerId)?.length)).toEqual([100, 100, 100]);
    expect(new Set([...got.values()].flat()).size).toBe(300);
  });

  it('drops a message for a group without a live member and reports once per episode', async () => {
    await using cluster = await busCluster();
    const { master } = cluster;
    for (let i = 0; i < 3; i++) master.publish('empty', i, { deliver: 'one' });
    expect(master.requestStats().droppedOne).toBe(3);
    expect(cluster.errors.get(master)).toEqual([code('ERR_CLUSTR_NO_RESPONDER')]);
    expect(() => master.publish('public', 1, { deliver: 'one' })).toThrowError(
      code('ERR_CLUSTR_INVALID_CHANNEL'),
    );
    expect(() => master.publish('empty', 1, { deliver: 'some' as 'one' })).toThrowError(
      code('ERR_CLUSTR_INVALID_OPTION'),
    );
  });
});

describe('the wire, as another language speaks it', () => {
  it('a foreign process announced with methods answers with the documented frames; a forged reply is refused', async () => {
    await using cluster = await busCluster();
    const { master } = cluster;
    const raw = createMemoryTransport({ bus: cluster.bus });
    const id = 'py-worker-1';
    const meta = encodeMeta({ workerId: id, group: 'py' });
    await raw.connect({ workerId: id, group: 'py' });
    await raw.subscribe(`rpc:${id}`);
    raw.onMessage((_channel, { data }) => {
      const { req } = data as { req: { id: number; method: string; replyTo: string } };
      const reply =
        req.method === 'upper'
          ? `{"res":{"id":${req.id}},"data":"HI"}`
          : JSON.stringify({
              res: { id: req.id, error: { name: 'ValueError', message: 'unknown', code: 7 } },
            });
      raw.publish(req.replyTo, meta, reply);
    });
    const record = { id, workerId: id, group: 'py', host: 'h', pid: 1, command: 'python3', file: 'w.py' };
    const beat = { ...record, startedAt: 1, restarts: 0, state: 'ready', methods: ['fail', 'upper'] };
    raw.publish('presence:all', meta, JSON.stringify({ beat }));
    await cluster.knows(master, [id]);
    expect(await master.request(id, 'upper', 'hi')).toBe('HI');
    await expect(master.request('py', 'fail', 1)).rejects.toMatchObject({
      code: 'ERR_CLUSTR_REMOTE',
      details: { remote: { name: 'ValueError', message: 'unknown', code: 7 } },
    });
    // A reply to a request that went to someone else is not taken from this sender.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const worker = await cluster.worker('w', (w) => w.onRequest('real', () => released.then(() => 'real')));
    const spy = createMemoryTransport({ bus: cluster.bus });
    await spy.subscribe(`rpc:${worker.workerId}.${process.pid}`);
    spy.onMessage((_channel, { data }) => {
      const { req } = data as { req: { id: number; replyTo: string } };
      spy.publish(req.replyTo, meta, `{"res":{"id":${req.id}},"data":"forged"}`);
      release();
    });
    expect(await master.request(worker.workerId, 'real', 1)).toBe('real');
    expect(cluster.errors.get(master)).toEqual([
      expect.objectContaining({
        code: 'ERR_CLUSTR_FORBIDDEN',
        message: expect.stringMatching(/asked of another member/),
      }),
    ]);
    await spy.close();
    await raw.close();
  });
});
