import { ClustrError, encodeData } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { createNode, FakeLinkPair, link, waitUntil } from '../test/link-pair.js';

describe('IpcRouter batching and backpressure', () => {
  it('sends N publishes of one turn as one run line in one write, built once for every link', async () => {
    const root = createNode('master');
    const links = ['a', 'b', 'c', 'd'].map((id) => link(root, id));
    await Promise.all(links.map(({ child }) => child.transport.subscribe('public')));
    for (const { pair } of links) pair.down.writes.length = 0;
    const before = root.transport.stats().children.a!;

    for (let i = 0; i < 500; i++) root.publish('public', { i });
    await Promise.all(links.map(({ child }) => child.receivedCount(500, '500 public messages')));
    for (const { pair, child } of links) {
      expect(pair.down.writes).toHaveLength(1);
      expect(child.received.map((m) => (m.envelope.data as { i: number }).i)).toEqual([...Array(500).keys()]);
    }
    // One run frame: one line, one channel, one meta, the 500 messages in order.
    expect(links[0]!.pair.down.written()).toEqual([
      {
        clustr: 1,
        channel: 'public',
        meta: { group: 'master' },
        run: [...Array(500).keys()].map((i) => ({ i })),
      },
    ]);
    // Fan-out: the same string is written to every link.
    expect(new Set(links.map(({ pair }) => pair.down.writes[0])).size).toBe(1);
    const after = root.transport.stats().children.a!;
    expect([after.writes - before.writes, after.framesSent - before.framesSent]).toEqual([1, 500]);
    // The ack of its subscription, then the 500 messages.
    expect(links[0]!.child.transport.stats().parent!.framesReceived).toBe(1 + 500);
  });

  it('starts a new run whenever the channel changes, so messages to several channels keep their order', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await a.child.transport.subscribe('x');
    await a.child.transport.subscribe('y');
    a.pair.down.writes.length = 0;
    const sequence = ['x', 'x', 'y', 'x', 'y', 'y'];
    for (const [i, channel] of sequence.entries()) root.publish(channel, i);
    await a.child.receivedCount(6, 'six messages on two channels');
    expect(a.child.received.map((m) => [m.channel, m.envelope.data])).toEqual(sequence.map((c, i) => [c, i]));
    expect(a.pair.down.written().map((frame) => frame.channel)).toEqual(['x', 'y', 'x', 'y']);
  });

  it('caps a run at a line every receiver takes (64 KiB), and counts exactly the bytes it writes', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.down.writes.length = 0;
    const before = root.transport.stats().children.a!.bytesSent;
    for (let i = 0; i < 2000; i++) root.publish('a', { text: 'x'.repeat(60), i });
    await a.child.receivedCount(2000, 'the 2000 messages');
    const lines = a.pair.down.writes.join('').split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(64 * 1024);
    expect(root.transport.stats().children.a!.bytesSent - before).toBe(a.pair.down.writes.join('').length);
  });

  it('lets no message join a run that was in the queue of a parent that went away', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    a.pair.up.isPaused = true;
    a.pair.up.highWaterMark = 0;
    a.child.publish('master', 1);
    a.pair.close();
    a.child.publish('master', 2);
    a.child.publish('master', 3);
    await waitUntil(
      () => a.child.transport.stats().parent!.dropped >= 2,
      'the publishes after the close to be dropped',
    );
    expect(a.child.transport.stats().parent!.queuedBytes).toBe(0);
  });

  it('gives every message of a run a meta of its own', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    root.publish('a', 1);
    root.publish('a', 2);
    await a.child.receivedCount(2, 'both messages of the run');
    const [first, second] = a.child.received;
    expect(first!.envelope.meta).toEqual(second!.envelope.meta);
    expect(first!.envelope.meta).not.toBe(second!.envelope.meta);
  });

  it('sends one write per turn towards the parent, the same way as down', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    a.pair.up.writes.length = 0;
    for (let i = 0; i < 300; i++) a.child.publish('master', i);
    await root.receivedCount(300, '300 messages from the child');
    expect(a.pair.up.writes).toHaveLength(1);
    expect(root.received.map((m) => m.envelope.data)).toEqual([...Array(300).keys()]);
    expect(root.received[0]!.envelope.meta).toEqual({ workerId: 'a', group: 'test' });
  });

  it('splits a turn larger than maxBatchBytes into several lines', async () => {
    const root = createNode('master', undefined, { maxBatchBytes: 1024 });
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.down.writes.length = 0;
    for (let i = 0; i < 100; i++) root.publish('a', 'x'.repeat(100));
    await a.child.receivedCount(100, '100 messages');
    expect(a.pair.down.writes.length).toBeGreaterThan(1);
    for (const text of a.pair.down.writes) expect(text.length).toBeLessThanOrEqual(1024 + 200);
  });

  it('bounds the queue of a slow link, drops past it and reports one QUEUE_FULL per episode', async () => {
    const root = createNode('master', undefined, { maxQueueBytes: 20_000 });
    const a = link(root, 'a');
    await a.child.transport.subscribe('a');
    a.pair.down.highWaterMark = 1000;
    a.pair.down.isPaused = true;
    root.publish('a', 'x'.repeat(2000));
    await waitUntil(() => root.transport.stats().children.a!.isBlocked, 'the link to report a full pipe');
    const payload = 'y'.repeat(1000);
    for (let i = 0; i < 100; i++) root.publish('a', payload);
    const stats = root.transport.stats().children.a!;
    expect(stats.queuedBytes).toBeLessThanOrEqual(20_000);
    expect(stats.dropped).toBeGreaterThan(50);
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    expect(a.pair.down.writes).toHaveLength(1 + 1);

    a.pair.down.resume();
    const kept = 1 + 100 - stats.dropped;
    await a.child.receivedCount(kept, 'the frames that fit the queue');
    expect(root.transport.stats().children.a!.queuedBytes).toBe(0);

    // A second episode reports again.
    a.pair.down.isPaused = true;
    root.publish('a', 'x'.repeat(2000));
    await waitUntil(() => root.transport.stats().children.a!.isBlocked, 'the link to block again');
    for (let i = 0; i < 100; i++) root.publish('a', payload);
    expect(root.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL', 'ERR_CLUSTR_QUEUE_FULL']);
    expect(root.transport.stats().dropped).toBeGreaterThan(100);
  });
});

describe('IpcRouter counters towards the parent', () => {
  it('counts frames for an already closed parent link as dropped, not sent', async () => {
    const pair = new FakeLinkPair('a');
    pair.close();
    const child = createNode('a', pair.parentLink);
    child.publish('master', 1);
    child.publish('master', 2);
    await waitUntil(() => child.transport.stats().parent!.dropped === 2, 'both frames to be dropped');
    expect(child.transport.stats().parent).toMatchObject({ framesSent: 0, bytesSent: 0, writes: 0 });
    expect(child.transport.stats().dropped).toBe(2);
    expect(pair.up.writes).toEqual([]);
  });

  it('relays a frame as the very line it received: never parsed twice, never re-encoded', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    // Below the first hop, a member's id must be one a process may claim (a UUID).
    const leafId = globalThis.crypto.randomUUID();
    const leaf = link(mid.child, leafId);
    await root.transport.subscribe('master');
    // Live up to the root: the leaf's join went before, on the same links.
    await leaf.child.transport.subscribe(leafId);
    // An unusual key order and spacing: only re-encoding would change them.
    const line = `{"data":{"b":1, "a":[2]},"clustr":1,"meta":{"group":"test","workerId":"${leafId}"},"channel":"master"}`;
    leaf.pair.up.injectLine(line);
    await root.receivedCount(1, 'the relayed frame');
    expect(mid.pair.up.writes.join('')).toContain(`${line}\n`);
    expect(root.received[0]!.envelope).toEqual({
      meta: { group: 'test', workerId: leafId },
      data: { b: 1, a: [2] },
    });
    expect(root.transport.stats().children.mid!.framesReceived).toBeGreaterThanOrEqual(1);
  });
});

describe('IpcRouter bad input', () => {
  it('drops, counts and reports bad frames from a child; later frames still arrive', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    await root.transport.subscribe('master');
    const meta = { workerId: 'a', group: 'test' };
    a.pair.childWrites({ clustr: 1, channel: 'bad channel!', meta, data: 1 });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta: { group: 42 }, data: 1 });
    a.pair.childWrites({ clustr: 1, type: 'nope' });
    a.pair.childWrites({ clustr: 1, type: 'ack', id: 1 });
    a.pair.up.badInput.emit(new ClustrError('ERR_CLUSTR_BAD_FRAME', 'frame is not JSON: "garbage"'));
    a.pair.childWrites({ clustr: 1, channel: 'master', meta, data: 'first' });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta });
    a.pair.childWrites({
      clustr: 1,
      type: 'batch',
      frames: [{ clustr: 1, channel: 'master', meta, data: 'x' }],
    });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta, data: 'second' });
    a.pair.childWrites({ clustr: 1, channel: 'master', meta, data: 'hi' });
    await root.receivedCount(3, 'the good frames');
    expect(root.received.map((m) => m.envelope.data)).toEqual(['first', 'second', 'hi']);
    // Reported once a second per child: the first at once, the other six summed up later.
    expect(root.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^bad frame: "channel"/)]);
    expect(root.transport.stats().children.a!.badFrames).toBe(7);
    expect(root.transport.stats().badFrames).toBe(7);
    await root.transport.close();
    expect(root.errors).toHaveLength(2);
    expect(root.errors.every((e) => e.code === 'ERR_CLUSTR_BAD_FRAME')).toBe(true);
    expect(root.errors[1]!.details).toMatchObject({ source: 'child a', count: 6 });
  });

  it('routes data frames a non-Node child writes without any sub', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    // A script writes frames and never joins: its first frame's meta makes it a member.
    const bash = new FakeLinkPair('bash-1');
    root.transport.adopt(bash.link);
    await root.transport.subscribe('master');
    await a.child.transport.subscribe('public');
    bash.childWrites({
      clustr: 1,
      channel: 'master',
      meta: { workerId: 'bash-1', group: 'bash' },
      data: 'hi',
    });
    bash.childWrites({
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
    a.pair.parentWrites({ clustr: 1, channel: 'a', meta: {}, data: 1 });
    a.pair.parentWrites({ clustr: 1, type: 'sub', channels: ['a'] });
    root.publish('a', 'ok');
    await a.child.receivedCount(1, 'the good frame');
    expect(a.child.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(a.child.transport.stats().parent!.badFrames).toBe(2);
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
    expect(a.pair.up.written().at(-1)).toEqual({ clustr: 1, type: 'unsub', channels: ['a'] });
    // The child's router no longer listens to its parent link.
    expect(a.pair.down.frames.size).toBe(0);
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
