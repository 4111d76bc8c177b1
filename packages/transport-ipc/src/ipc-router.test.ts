import { describe, expect, it } from 'vitest';
import { createNode, link, TEST_GROUPS, waitUntil } from '../test/link-pair.js';

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
});

describe('IpcRouter subscriptions', () => {
  it('acks a subscription only once it is live up to the root (3 levels)', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    const leaf = link(mid.child, 'leaf');
    mid.pair.up.isPaused = true;
    let isLive = false;
    const subscribed = leaf.child.transport.subscribe('deep').then(() => {
      isLive = true;
    });
    const sub = () => mid.pair.up.written().find((frame) => frame.type === 'sub');
    await waitUntil(() => sub() !== undefined, 'mid to send its sub upwards');
    expect(sub()).toMatchObject({ type: 'sub', channels: ['deep'] });
    expect(isLive).toBe(false);
    mid.pair.up.resume();
    await subscribed;
    root.publish('deep', 'down two levels');
    await leaf.child.receivedCount(1, 'the message two levels down');
    expect(mid.child.received).toEqual([]);
    expect(leaf.child.received[0]!.envelope).toEqual({ meta: { group: 'master' }, data: 'down two levels' });
  });

  it('connect() resolves at once over an open parent link (the welcome came first) and rejects over a closed one', async () => {
    const root = createNode('master');
    const a = link(root, 'a');
    a.pair.up.isPaused = true;
    await a.child.transport.connect({ workerId: 'a', group: 'test' });
    // Nothing waits on the parent: the joins that announce the child are all it wrote.
    expect(a.pair.up.written().map((frame) => frame.type)).toEqual(['join', 'join']);
    const b = link(root, 'b');
    b.pair.close();
    await expect(b.child.transport.connect({ workerId: 'b', group: 'test' })).rejects.toMatchObject({
      code: 'ERR_CLUSTR_TRANSPORT',
    });
  });

  it('propagates unsub upward when the last subscriber of a subtree leaves', async () => {
    const root = createNode('master');
    const mid = link(root, 'mid');
    const leaf = link(mid.child, 'leaf');
    await leaf.child.transport.subscribe('x');
    await mid.child.transport.subscribe('y');
    await leaf.child.transport.unsubscribe('x');
    await waitUntil(
      () => mid.pair.up.writes.some((text) => text.includes('"unsub"')),
      'the unsub to reach the root',
    );
    await waitUntil(
      // What mid wrote, and the joins the test wrote for it.
      () =>
        root.transport.stats().children.mid!.framesReceived ===
        mid.pair.up.written().length + TEST_GROUPS.length,
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
      () => mid.pair.up.writes.some((text) => text.includes('"unsub","channels":["gone"]')),
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

  it('a new incarnation (same workerId) linked while the old one runs: both stay, the private channel goes to the old one until it closes', async () => {
    const root = createNode('master');
    const first = link(root, 'w');
    await first.child.transport.subscribe('old');
    await first.child.transport.subscribe('w');
    const second = link(root, 'w');
    await second.child.transport.subscribe('new');
    await second.child.transport.subscribe('w');
    root.publish('old', 'to the old one');
    root.publish('w', 'private 1');
    root.publish('new', 'to the new one');
    await first.child.receivedCount(2, "the old incarnation's two messages");
    await second.child.receivedCount(1, 'the new incarnation\'s message on "new"');
    expect(second.pair.down.writes.join('')).not.toContain('private 1');
    expect(Object.keys(root.transport.stats().children)).toEqual(['w']);
    // The old link closing hands the private channel over, and does not remove the new link.
    first.pair.close();
    root.publish('w', 'private 2');
    await second.child.receivedCount(2, 'the private message, now at the new incarnation');
    expect(first.pair.down.writes.join('')).not.toContain('private 2');
  });
});
