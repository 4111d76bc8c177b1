import type { ClustrError } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { createNode, FakeLinkPair, link, waitUntil } from '../test/link-pair.js';

const uuid = () => globalThis.crypto.randomUUID();

/** A root with an honest child (`victim`, group `web`) and a hostile one writing raw frames. */
async function tree(options: { maxSubscriptionsPerLink?: number; maxQueueBytes?: number } = {}) {
  const root = createNode('master', undefined, options);
  await root.transport.subscribe('master');
  const victimId = uuid();
  const victim = link(root, victimId);
  await victim.child.transport.subscribe(victimId);
  await victim.child.transport.subscribe(`kill:${victimId}`);
  const hostileId = uuid();
  const hostile = new FakeLinkPair(hostileId);
  root.transport.adopt(hostile.link);
  const join = (workerId: string, group: string) =>
    hostile.childWrites({ clustr: 1, type: 'join', workerId, group });
  join(hostileId, 'evil');
  const forbidden = () => root.errors.filter((error) => error.code === 'ERR_CLUSTR_FORBIDDEN');
  return { root, victim, victimId, hostile, hostileId, join, forbidden };
}

/** The frames the parent wrote down to a raw child, parsed. */
function acks(pair: FakeLinkPair): unknown[] {
  return pair.down.written().filter((frame) => frame.type === 'ack');
}

describe('Gatekeeper: identity enforced at the first hop', () => {
  it('drops frames that speak for anyone outside the child’s subtree, and reports once a second', async () => {
    const { root, victimId, hostile, hostileId, forbidden } = await tree();
    const spoofs = [
      { workerId: victimId, group: 'test' },
      { group: 'master' },
      { workerId: hostileId, group: 'master' },
      { workerId: hostileId, group: 'web' },
      { workerId: uuid(), group: 'evil' },
    ];
    for (const meta of spoofs) hostile.childWrites({ clustr: 1, channel: 'master', meta, data: 'spoof' });
    hostile.childWrites({
      clustr: 1,
      channel: 'master',
      meta: { workerId: hostileId, group: 'evil' },
      data: 'own',
    });
    await root.receivedCount(1, 'the one honest frame');
    expect(root.received.map((m) => m.envelope)).toEqual([
      { meta: { workerId: hostileId, group: 'evil' }, data: 'own' },
    ]);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(5);
    expect(root.transport.stats().forbidden).toBe(5);
    expect(forbidden()).toHaveLength(1);
    expect(forbidden()[0]!.message).toMatch(
      /claimed to come from .*"workerId":"[0-9a-f-]{36}".*not a member of its subtree/,
    );
    await root.transport.close();
    expect(forbidden()[1]!.details).toMatchObject({ count: 4 });
  });

  it('refuses fields the wire does not define, in the frame and in its meta (an own __proto__ included)', async () => {
    const { root, hostile, hostileId } = await tree();
    const meta = `{"workerId":"${hostileId}","group":"evil"}`;
    hostile.up.injectLine(
      `{"clustr":1,"channel":"master","meta":${meta},"data":1,"junk":"${'x'.repeat(1000)}"}`,
    );
    hostile.up.injectLine(
      `{"clustr":1,"channel":"master","meta":{"workerId":"${hostileId}","group":"evil","admin":true},"data":2}`,
    );
    hostile.up.injectLine(
      `{"clustr":1,"channel":"master","meta":{"workerId":"${hostileId}","group":"evil","__proto__":{"x":1}},"data":3}`,
    );
    hostile.up.injectLine(`{"clustr":1,"channel":"master","meta":${meta},"data":4}`);
    await root.receivedCount(1, 'the canonical frame');
    expect(root.received.map((m) => m.envelope.data)).toEqual([4]);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(3);
    expect(root.errors[0]!.message).toMatch(/carried the field "junk", which the wire does not define/);
  });

  it('lets a child subscribe only to public, its groups and its members’ channels; never acks the rest', async () => {
    const { root, victimId, hostile, forbidden } = await tree();
    for (const channel of [victimId, `kill:${victimId}`, 'master', 'confirmation', 'web', 'test'] as const) {
      hostile.childWrites({ clustr: 1, type: 'sub', channels: [channel], id: 1 });
    }
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public', 'evil'], id: 2 });
    await waitUntil(() => acks(hostile).length === 1, 'the ack of the allowed subscription');
    expect(acks(hostile)).toEqual([{ clustr: 1, type: 'ack', id: 2 }]);
    root.publish(victimId, 'private');
    root.publish('public', 'to all');
    await waitUntil(
      () => hostile.down.written().some((frame) => frame.channel === 'public'),
      'the public message',
    );
    expect(
      hostile.down
        .written()
        .filter((frame) => frame.channel !== undefined)
        .map((frame) => frame.channel),
    ).toEqual(['public']);
    expect(forbidden()[0]!.message).toMatch(new RegExp(`subscribing to "${victimId}" is not allowed`));
    expect(root.transport.stats().forbidden).toBe(6);
  });

  it('lets a child subscribe to the rpc channels of its subtree only, never to a sibling’s or a master’s', async () => {
    const { root, victimId, hostile, hostileId, join, forbidden } = await tree();
    const grandchild = uuid();
    join(grandchild, 'evil');
    const masterRpc = `rpc:master.${uuid()}`;
    // A master's rpc id is no UUID: no subtree can claim it as a member, so none may receive it.
    join(masterRpc.slice('rpc:'.length), 'evil');
    for (const channel of [`rpc:${victimId}`, masterRpc, `rpc:${uuid()}`, 'rpc:'])
      hostile.childWrites({ clustr: 1, type: 'sub', channels: [channel], id: 1 });
    hostile.childWrites({
      clustr: 1,
      type: 'sub',
      channels: [`rpc:${hostileId}`, `rpc:${grandchild}`],
      id: 2,
    });
    await waitUntil(() => acks(hostile).length === 1, 'the ack of the subtree’s rpc channels');
    expect(acks(hostile)).toEqual([{ clustr: 1, type: 'ack', id: 2 }]);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(5);
    expect(forbidden()[0]!.message).toMatch(/joined as "master\.[0-9a-f-]{36}", not a claimable workerId/);
    // A member that leaves takes its rpc subscription along.
    hostile.childWrites({ clustr: 1, type: 'leave', workerIds: [grandchild] });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id: 3 });
    await waitUntil(() => acks(hostile).length === 2, 'the ack of the later subscription');
    root.publish(`rpc:${grandchild}`, 'after it left');
    root.publish(`rpc:${hostileId}`, 'to the child');
    await waitUntil(
      () => hostile.down.written().some((frame) => frame.channel === `rpc:${hostileId}`),
      'the message on the child’s rpc channel',
    );
    expect(hostile.down.written().some((frame) => frame.channel === `rpc:${grandchild}`)).toBe(false);
  });

  it('lets a child subscribe to the one-of-group channels of its subtree only, and drops them when a member leaves', async () => {
    const { root, victimId, hostile, hostileId, join } = await tree();
    const grandchild = uuid();
    join(grandchild, 'evil');
    for (const channel of [`one:${victimId}`, `one:${uuid()}`, 'one:'])
      hostile.childWrites({ clustr: 1, type: 'sub', channels: [channel], id: 1 });
    hostile.childWrites({
      clustr: 1,
      type: 'sub',
      channels: [`one:${hostileId}`, `one:${grandchild}`],
      id: 2,
    });
    await waitUntil(() => acks(hostile).length === 1, 'the ack of the subtree’s one channels');
    expect(acks(hostile)).toEqual([{ clustr: 1, type: 'ack', id: 2 }]);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(3);
    hostile.childWrites({ clustr: 1, type: 'leave', workerIds: [grandchild] });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id: 3 });
    await waitUntil(() => acks(hostile).length === 2, 'the ack of the later subscription');
    root.publish(`one:${grandchild}`, 'after it left');
    root.publish(`one:${hostileId}`, 'to the child');
    await waitUntil(
      () => hostile.down.written().some((frame) => frame.channel === `one:${hostileId}`),
      'the message on the child’s one channel',
    );
    expect(hostile.down.written().some((frame) => frame.channel === `one:${grandchild}`)).toBe(false);
  });

  it('refuses a member whose workerId is alive elsewhere, or not a UUID, or whose group has a workerId’s shape', async () => {
    const { root, victimId, hostile, hostileId, join } = await tree();
    join(victimId, 'evil');
    join('not-a-uuid', 'evil');
    join(uuid(), uuid());
    join(hostileId, 'other');
    const grandchild = uuid();
    join(grandchild, 'evil');
    hostile.childWrites({ clustr: 1, type: 'sub', channels: [grandchild, `kill:${grandchild}`], id: 7 });
    await waitUntil(() => acks(hostile).length === 1, 'the ack of the grandchild’s channels');
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(4);
    // Once it leaves, its channels are no longer the subtree's to take.
    hostile.childWrites({ clustr: 1, type: 'leave', workerIds: [grandchild] });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: [grandchild], id: 8 });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id: 9 });
    await waitUntil(() => acks(hostile).length === 2, 'the ack of the later subscription');
    expect(acks(hostile).at(-1)).toEqual({ clustr: 1, type: 'ack', id: 9 });
  });

  it('lets a child kill anyone under its own identity, and the victim learns who sent it', async () => {
    const { victim, victimId, hostile, hostileId } = await tree();
    const meta = { workerId: hostileId, group: 'evil' };
    hostile.childWrites({
      clustr: 1,
      channel: `kill:${victimId}`,
      meta: { workerId: victimId, group: 'test' },
      data: 9,
    });
    hostile.childWrites({ clustr: 1, channel: `kill:${victimId}`, meta, data: 3 });
    await victim.child.receivedCount(1, 'the kill order');
    expect(victim.child.received.map((m) => m.envelope)).toEqual([{ meta, data: 3 }]);
  });

  it('disconnects a child past its subscription cap', async () => {
    const { root, hostile, hostileId, join, forbidden } = await tree({ maxSubscriptionsPerLink: 50 });
    for (let i = 0; i < 60; i++) join(uuid(), 'evil');
    expect(hostile.isClosed).toBe(true);
    expect(forbidden().at(-1)!.message).toMatch(/passed 50 members: disconnected/);
    expect(root.transport.stats().children[hostileId]).toBeUndefined();
  });

  it('disconnects a child that asks for acks and never reads them', async () => {
    const { root, hostile, forbidden } = await tree({ maxQueueBytes: 4096 });
    hostile.down.isPaused = true;
    hostile.down.highWaterMark = 1024;
    const errors: ClustrError[] = [];
    root.transport.onError((error) => errors.push(error));
    for (let id = 0; id < 200_000 && !hostile.isClosed; id++) {
      hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id });
      if (id % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hostile.isClosed).toBe(true);
    expect(forbidden().some((error) => /does not read its control frames/.test(error.message))).toBe(true);
    // What was queued for it went with it: a bounded amount, never the whole flood.
    expect(root.transport.stats().dropped).toBeLessThan(200_000);
  });

  it('keeps a restarting child’s id its own: nobody may claim it between two runs', async () => {
    const { root, victim, victimId, hostile, hostileId, join } = await tree();
    victim.pair.close();
    join(victimId, 'evil');
    hostile.childWrites({ clustr: 1, type: 'sub', channels: [victimId], id: 5 });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id: 6 });
    await waitUntil(() => acks(hostile).length === 1, 'the ack of the later subscription');
    expect(acks(hostile)).toEqual([{ clustr: 1, type: 'ack', id: 6 }]);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(2);
    // The restarted victim (a new link, the same id) is itself again.
    const again = link(root, victimId);
    await again.child.transport.subscribe(victimId);
  });

  it('drops the subscriptions of members that left, and keeps their ids theirs', async () => {
    const { root, hostile, hostileId, join } = await tree();
    const grandchild = uuid();
    join(grandchild, 'evil');
    hostile.childWrites({ clustr: 1, type: 'sub', channels: [grandchild], id: 1 });
    await waitUntil(() => acks(hostile).length === 1, 'the grandchild’s subscription');
    hostile.childWrites({ clustr: 1, type: 'leave', workerIds: [grandchild] });
    hostile.childWrites({ clustr: 1, type: 'sub', channels: ['public'], id: 2 });
    await waitUntil(() => acks(hostile).length === 2, 'the public subscription');
    root.publish(grandchild, 'after it left');
    root.publish('public', 'sentinel');
    await waitUntil(() => hostile.down.written().some((frame) => frame.channel === 'public'), 'the sentinel');
    expect(hostile.down.written().some((frame) => frame.channel === grandchild)).toBe(false);
    // Another subtree cannot take the id that left.
    const other = new FakeLinkPair(uuid());
    root.transport.adopt(other.link);
    other.childWrites({ clustr: 1, type: 'join', workerId: grandchild, group: 'evil' });
    expect(root.transport.stats().children[other.workerId]!.forbidden).toBe(1);
    expect(root.transport.stats().children[hostileId]!.forbidden).toBe(0);
  });

  it('counts a script whose first frame takes a forbidden group once', async () => {
    const root = createNode('master');
    await root.transport.subscribe('master');
    const script = new FakeLinkPair(uuid());
    root.transport.adopt(script.link);
    script.childWrites({
      clustr: 1,
      channel: 'master',
      meta: { workerId: script.workerId, group: 'master' },
      data: 1,
    });
    expect(root.transport.stats().children[script.workerId]!.forbidden).toBe(1);
  });
});
