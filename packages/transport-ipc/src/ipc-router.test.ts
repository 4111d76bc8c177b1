import { ClustrError, encodeData } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { createNode, link, waitUntil } from '../test/fake-links.js';

describe('IpcRouter routing', () => {
  it('sends a frame only down links whose subtree subscribes, counted per link', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    const b = link(root, 'b');
    const c = link(root, 'c');
    await Promise.all([
      a.child.transport.connect({ workerId: 'a', group: 'test' }),
      b.child.transport.connect({ workerId: 'b', group: 'test' }),
      c.child.transport.connect({ workerId: 'c', group: 'test' }),
    ]);
    await a.child.transport.subscribe('a');
    await b.child.transport.subscribe('b');
    const before = root.transport.stats().children;

    for (let i = 0; i < 5; i++) root.publish('a', i);
    root.publish('b', 'sentinel');
    await a.child.receivedCount(5, 'five messages on "a"');
    await b.child.receivedCount(1, 'the sentinel on "b"');

    const after = root.transport.stats().children;
    expect(after.a!.framesSent - before.a!.framesSent).toBe(5);
    expect(after.b!.framesSent - before.b!.framesSent).toBe(1);
    expect(after.c!.framesSent - before.c!.framesSent).toBe(0);
    expect(a.child.received.map((m) => m.envelope.data)).toEqual([0, 1, 2, 3, 4]);
    expect(a.child.received[0]!.envelope.meta).toEqual({ group: 'master' });
    expect(c.child.received).toEqual([]);
  });

  it('routes child → parent → sibling and never back to the sender', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    const b = link(root, 'b');
    await root.transport.subscribe('public');
    await a.child.transport.subscribe('public');
    await b.child.transport.subscribe('public');

    a.child.publish('public', 'from a');
    await root.receivedCount(1, 'the public message');
    await b.child.receivedCount(1, 'the public message');
    await a.child.receivedCount(1, 'its own public message');
    expect(root.transport.stats().children.a!.framesReceived).toBeGreaterThanOrEqual(1);
    // a's own copy was delivered locally: the root did not send it back down.
    const sentToA = root.transport.stats().children.a!.framesSent;
    b.child.publish('public', 'from b');
    await a.child.receivedCount(2, 'b’s public message');
    expect(root.transport.stats().children.a!.framesSent - sentToA).toBe(1);
    expect(a.child.received.map((m) => m.envelope.data)).toEqual(['from a', 'from b']);
    expect(b.child.received.map((m) => m.envelope.data)).toEqual(['from a', 'from b']);
  });

  it('delivers local publishes asynchronously and in order', async () => {
    const root = createNode('master');
    await root.transport.subscribe('master');
    for (let i = 0; i < 100; i++) root.publish('master', i);
    expect(root.received).toEqual([]);
    await root.receivedCount(100, '100 local messages');
    expect(root.received.map((m) => m.envelope.data)).toEqual([...Array(100).keys()]);
  });

  it('leaves user IPC messages alone', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.messages.emit({ hello: 'user' });
    a.pair.messages.emit('plain string');
    root.publish('a', 'after');
    await a.child.receivedCount(1, 'the clustr message');
    expect(a.child.errors).toEqual([]);
    expect(a.child.received).toHaveLength(1);
  });
});

describe('IpcRouter subscriptions', () => {
  it('acks a subscription only once it is live up to the root (3 levels)', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    const leaf = link(mid.child, 'leaf');
    mid.pair.isUpPaused = true;
    let isLive = false;
    const subscribed = leaf.child.transport.subscribe('deep').then(() => {
      isLive = true;
    });
    await waitUntil(() => mid.pair.sends.length > 0, 'mid to send its sub upwards');
    expect(mid.pair.sends[0]).toMatchObject({ type: 'sub', channels: ['deep'] });
    expect(isLive).toBe(false);
    mid.pair.resumeUp();
    await subscribed;
    root.publish('deep', 'down two levels');
    await leaf.child.receivedCount(1, 'the message two levels down');
    expect(mid.child.received).toEqual([]);
    expect(leaf.child.received[0]!.envelope).toEqual({ meta: { group: 'master' }, data: 'down two levels' });
  });

  it('connect() resolves once the parent acknowledged the handshake', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    a.pair.isUpPaused = true;
    let isConnected = false;
    const connected = a.child.transport.connect({ workerId: 'a', group: 'test' }).then(() => {
      isConnected = true;
    });
    await waitUntil(() => a.pair.sends.length > 0, 'the handshake to be sent');
    expect(isConnected).toBe(false);
    a.pair.resumeUp();
    await connected;
  });

  it('propagates unsub upward when the last subscriber of a subtree leaves', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    const leaf = link(mid.child, 'leaf');
    await leaf.child.transport.subscribe('x');
    await mid.child.transport.subscribe('y');
    await leaf.child.transport.unsubscribe('x');
    await waitUntil(
      () => mid.pair.sends.some((s) => JSON.stringify(s).includes('"unsub"')),
      'the unsub to reach the root',
    );
    await waitUntil(
      () => root.transport.stats().children.mid!.framesReceived >= 3,
      'the root to read the unsub',
    );
    const before = root.transport.stats().children.mid!.framesSent;
    root.publish('x', 'nobody listens');
    root.publish('y', 'sentinel');
    await mid.child.receivedCount(1, 'the sentinel');
    expect(root.transport.stats().children.mid!.framesSent - before).toBe(1);
    expect(leaf.child.received).toEqual([]);
  });

  it('a closed link removes its subtree’s subscriptions and unsubscribes upward', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    const leaf = link(mid.child, 'leaf');
    await leaf.child.transport.subscribe('gone');
    leaf.pair.close();
    await waitUntil(
      () => mid.pair.sends.some((s) => JSON.stringify(s).includes('"unsub","channels":["gone"]')),
      'the unsub of the closed subtree',
    );
    await mid.child.transport.subscribe('sentinel');
    const before = root.transport.stats().children.mid!.framesSent;
    root.publish('gone', 1);
    root.publish('sentinel', 2);
    await mid.child.receivedCount(1, 'the sentinel');
    expect(root.transport.stats().children.mid!.framesSent - before).toBe(1);
    expect(mid.child.transport.stats().children).toEqual({});
  });

  it('a restarted child (same workerId) replaces the old link and its subscriptions', async () => {
    const root = createNode('master');
    const first = link(root, 'w');
    await first.child.transport.subscribe('old');
    const second = link(root, 'w');
    await second.child.transport.subscribe('new');
    root.publish('old', 'lost');
    root.publish('new', 'kept');
    await second.child.receivedCount(1, 'the message on "new"');
    expect(first.pair.writes.join('')).not.toContain('lost');
    expect(second.pair.writes.join('')).not.toContain('lost');
    expect(Object.keys(root.transport.stats().children)).toEqual(['w']);
    // The old link closing later must not remove the new one.
    first.pair.close();
    root.publish('new', 'still');
    await second.child.receivedCount(2, 'a second message on "new"');
  });
});

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
