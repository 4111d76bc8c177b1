import { ClustrError, encodeData } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { createNode, link, waitUntil } from '../test/fake-links.js';
import type { ParentPort } from './parent-port.js';

describe('IpcRouter batching and backpressure', () => {
  it('sends N publishes of one turn as one write, serialized once for every link', async () => {
    const root = createNode('master');
    const links = ['a', 'b', 'c', 'd'].map((id) => link(root, id));
    await Promise.all(links.map(({ child }) => child.transport.subscribe('public')));
    for (const { pair } of links) pair.writes.length = 0;

    for (let i = 0; i < 500; i++) root.publish('public', { i });
    await Promise.all(links.map(({ child }) => child.receivedCount(500, '500 public messages')));
    for (const { pair, child } of links) {
      expect(pair.writes).toHaveLength(1);
      expect(child.received.map((m) => (m.envelope.data as { i: number }).i)).toEqual([...Array(500).keys()]);
    }
    expect(links[0]!.pair.writes[0]!.startsWith('{"clustr":1,"type":"batch","frames":[')).toBe(true);
    // Fan-out: the same batch line object is written to every link.
    expect(new Set(links.map(({ pair }) => pair.writes[0])).size).toBe(1);
    expect(root.transport.stats().children.a!.writes).toBeGreaterThanOrEqual(1);
  });

  it('sends one message per turn towards the parent', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    a.pair.sends.length = 0;
    for (let i = 0; i < 300; i++) a.child.publish('master', i);
    await root.receivedCount(300, '300 messages from the child');
    expect(a.pair.sends).toHaveLength(1);
    expect(root.received.map((m) => m.envelope.data)).toEqual([...Array(300).keys()]);
    expect(root.received[0]!.envelope.meta).toEqual({ workerId: 'a', group: 'test' });
  });

  it('splits a turn larger than maxBatchBytes into several lines', async () => {
    const root = createNode('master', undefined, { maxBatchBytes: 1024 });
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.writes.length = 0;
    for (let i = 0; i < 100; i++) root.publish('a', 'x'.repeat(100));
    await a.child.receivedCount(100, '100 messages');
    expect(a.pair.writes.length).toBeGreaterThan(1);
    for (const line of a.pair.writes) expect(line.length).toBeLessThanOrEqual(1024 + 200);
  });

  it('bounds the queue of a slow link, drops past it and reports one QUEUE_FULL per episode', async () => {
    const root = createNode('master', undefined, { maxQueueBytes: 20_000 });
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.highWaterMark = 1000;
    a.pair.pause();
    root.publish('a', 'x'.repeat(2000));
    await waitUntil(() => root.transport.stats().children.a!.isBlocked, 'the link to report a full pipe');
    const payload = 'y'.repeat(1000);
    for (let i = 0; i < 100; i++) root.publish('a', payload);
    const stats = root.transport.stats().children.a!;
    expect(stats.queuedBytes).toBeLessThanOrEqual(20_000);
    expect(stats.dropped).toBeGreaterThan(50);
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    expect(a.pair.writes).toHaveLength(1 + 1);

    a.pair.resume();
    const kept = 1 + 100 - stats.dropped;
    await a.child.receivedCount(kept, 'the frames that fit the queue');
    expect(root.transport.stats().children.a!.queuedBytes).toBe(0);

    // A second episode reports again.
    a.pair.pause();
    root.publish('a', 'x'.repeat(2000));
    await waitUntil(() => root.transport.stats().children.a!.isBlocked, 'the link to block again');
    for (let i = 0; i < 100; i++) root.publish('a', payload);
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL', 'ERR_CLUSTR_QUEUE_FULL']);
    expect(root.transport.stats().dropped).toBeGreaterThan(100);
  });
});

describe('IpcRouter counters towards the parent', () => {
  it('counts frames for an already disconnected parent as dropped, not sent', async () => {
    const port: ParentPort = {
      isConnected: false,
      send: () => {
        throw new Error('nothing may be sent to a disconnected parent');
      },
      onMessage: () => () => {},
      onDisconnect: () => () => {},
    };
    const child = createNode('a', port);
    child.publish('master', 1);
    child.publish('master', 2);
    await waitUntil(() => child.transport.stats().parent!.dropped === 2, 'both frames to be dropped');
    expect(child.transport.stats().parent).toMatchObject({ framesSent: 0, bytesSent: 0, writes: 0 });
    expect(child.transport.stats().dropped).toBe(2);
  });

  it('counts a frame that cannot be serialized for the parent as dropped, not sent', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    a.pair.sends.length = 0;
    const deep = `${'['.repeat(20_000)}0${']'.repeat(20_000)}`;
    a.child.transport.publish('master', a.child.meta, deep);
    a.child.publish('master', 'fine');
    await root.receivedCount(1, 'the frame after the unserializable one');
    expect(a.child.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(a.child.transport.stats().parent).toMatchObject({ framesSent: 1, writes: 1, dropped: 1 });
  });
});

describe('IpcRouter bad input', () => {
  it('drops, counts and reports bad frames from a child; later frames still arrive', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    const meta = { workerId: 'a', group: 'bash' };
    a.pair.childWrites({ clustr: 1, channel: 'bad channel!', meta, data: 1 });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta: { group: 42 }, data: 1 });
    a.pair.childWrites({ clustr: 1, type: 'nope' });
    a.pair.childWrites({ clustr: 1, type: 'ack', id: 1 });
    a.pair.badInput.emit(new ClustrError('ERR_CLUSTR_BAD_FRAME', 'frame is not JSON: "garbage"'));
    a.pair.childWrites({
      clustr: 1,
      type: 'batch',
      frames: [
        { clustr: 1, channel: 'master', meta, data: 'first' },
        { clustr: 1, channel: 'master', meta },
        { clustr: 1, channel: 'master', meta, data: 'second' },
      ],
    });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta, data: 'hi' });
    await root.receivedCount(3, 'the good frames');
    expect(root.received.map((m) => m.envelope.data)).toEqual(['first', 'second', 'hi']);
    expect(root.errors).toHaveLength(6);
    expect(root.errors.every((e) => e.code === 'ERR_CLUSTR_BAD_FRAME')).toBe(true);
    expect(root.transport.stats().children.a!.badFrames).toBe(6);
    expect(root.transport.stats().badFrames).toBe(6);
  });

  it('routes data frames a non-Node child writes without any sub', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    const bash = link(root, 'bash-1');
    await root.transport.subscribe('master');
    await a.child.transport.subscribe('public');
    bash.pair.childWrites({
      clustr: 1,
      channel: 'master',
      meta: { workerId: 'bash-1', group: 'bash' },
      data: 'hi',
    });
    bash.pair.childWrites({
      clustr: 1,
      channel: 'public',
      meta: { workerId: 'bash-1', group: 'bash' },
      data: 'all',
    });
    await root.receivedCount(1, 'the bash message');
    await a.child.receivedCount(1, 'the bash public message');
    expect(root.received[0]!.envelope).toEqual({ meta: { workerId: 'bash-1', group: 'bash' }, data: 'hi' });
  });

  it('reports bad frames from the parent and keeps routing', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.messages.emit({ clustr: 1, channel: 'a', meta: {}, data: 1 });
    a.pair.messages.emit({ clustr: 1, type: 'sub', channels: ['a'] });
    root.publish('a', 'ok');
    await a.child.receivedCount(1, 'the good frame');
    expect(a.child.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME', 'ERR_CLUSTR_BAD_FRAME']);
    expect(a.child.transport.stats().parent!.badFrames).toBe(2);
  });

  it('reports a frame whose data cannot be encoded again instead of throwing', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    const b = link(root, 'b');
    await b.child.transport.subscribe('public');
    let deep: unknown = 0;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    a.pair.childWrites({ clustr: 1, channel: 'public', meta: { workerId: 'a', group: 'x' }, data: deep });
    a.pair.childWrites({ clustr: 1, channel: 'public', meta: { workerId: 'a', group: 'x' }, data: 'fine' });
    await b.child.receivedCount(1, 'the frame after the bad one');
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(b.child.received[0]!.envelope.data).toBe('fine');
  });
});

describe('IpcRouter lifecycle', () => {
  it('close() flushes, unsubscribes upward, detaches and is idempotent', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    await a.child.transport.subscribe('a');
    a.child.publish('master', 'last words');
    const closing = a.child.transport.close();
    expect(a.child.transport.close()).toBe(closing);
    await closing;
    await root.receivedCount(1, 'the message flushed by close()');
    const last = a.pair.sends.at(-1);
    expect(JSON.stringify(last)).toContain('"type":"unsub","channels":["a"]');
    expect(a.pair.messages.size).toBe(0);
    expect(a.pair.disconnected.size).toBe(0);
    await expect(a.child.transport.subscribe('b')).rejects.toMatchObject({ code: 'ERR_CLUSTR_CLOSED' });
    a.child.publish('master', 'after close');
    expect(a.child.transport.stats().dropped).toBe(1);
  });

  it('refuses a message larger than maxFrameBytes through onError', async () => {
    const root = createNode('master', undefined, { maxFrameBytes: 1000, maxBatchBytes: 1000 });
    await root.transport.subscribe('master');
    root.transport.publish('master', root.meta, encodeData('é'.repeat(600)));
    root.publish('master', 'small');
    await root.receivedCount(1, 'the small message');
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_INVALID_DATA']);
  });

  it('describes itself for a child', () => {
    const root = createNode('master', undefined, { maxQueueBytes: 1234 });
    const descriptor = root.transport.describe();
    expect(descriptor.name).toBe('ipc');
    expect(descriptor.options).toMatchObject({ maxQueueBytes: 1234 });
    expect(descriptor.options).not.toHaveProperty('parent');
    expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
  });
});
