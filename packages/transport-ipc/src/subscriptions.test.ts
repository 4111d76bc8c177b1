import { describe, expect, it } from 'vitest';
import { createNode, FakeLinkPair, link, waitUntil } from '../test/link-pair.js';

interface SentFrame {
  type?: string;
  channels?: string[];
  id?: number;
}

/** The frames a child sent up. */
function framesOf(pair: FakeLinkPair): SentFrame[] {
  return pair.up.written() as SentFrame[];
}

/** The id of the last `sub` frame sent up for `channel`. */
function lastSubId(pair: FakeLinkPair, channel: string): number {
  const subs = framesOf(pair).filter((f) => f.type === 'sub' && f.channels?.includes(channel));
  const sub = subs[subs.length - 1];
  if (sub?.id === undefined) throw new Error(`no sub frame for "${channel}" was sent`);
  return sub.id;
}

function hasSub(pair: FakeLinkPair, channel: string): boolean {
  return framesOf(pair).some((f) => f.type === 'sub' && f.channels?.includes(channel));
}

describe('Subscriptions after an ack timeout', () => {
  it('a subscribe after a timed-out one sends a new sub and resolves once that is acked', async () => {
    // Nobody adopts the pair's link: the parent never acks unless the test does.
    const up = new FakeLinkPair('a');
    const child = createNode('a', up.parentLink, { ackTimeoutMs: 20 });
    await expect(child.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    const expiredId = lastSubId(up, 'x');

    up.up.writes.length = 0;
    const again = child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'a new sub for "x" after the timeout');
    const newId = lastSubId(up, 'x');
    expect(newId).not.toBe(expiredId);
    // The unsub first keeps the parent's count of this link right if the first sub reached it.
    expect(framesOf(up)).toEqual([
      { clustr: 1, type: 'unsub', channels: ['x'] },
      { clustr: 1, type: 'sub', channels: ['x'], id: newId },
    ]);
    up.parentWrites({ clustr: 1, type: 'ack', id: expiredId });
    up.parentWrites({ clustr: 1, type: 'ack', id: newId });
    await again;
    await child.transport.subscribe('x');
  });

  it('a child whose sub waited on a timed-out upstream sub gets no ack; its next sub is retried', async () => {
    const up = new FakeLinkPair('mid');
    const mid = createNode('mid', up.parentLink, { ackTimeoutMs: 20 });
    const leaf = link(mid, 'leaf', { ackTimeoutMs: 40 });
    const leafFirst = leaf.child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'mid to subscribe upwards for the leaf');
    // A local subscriber keeps mid's route alive across the leaf's unsub below.
    await expect(mid.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    await expect(leafFirst).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    expect(leaf.pair.down.writes.join('')).not.toContain('"type":"ack"');

    up.up.writes.length = 0;
    const leafAgain = leaf.child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'mid to send a new sub upwards for the retried leaf sub');
    const newId = lastSubId(up, 'x');
    expect(framesOf(up)).toEqual([
      { clustr: 1, type: 'unsub', channels: ['x'] },
      { clustr: 1, type: 'sub', channels: ['x'], id: newId },
    ]);
    up.parentWrites({ clustr: 1, type: 'ack', id: newId });
    await leafAgain;
    await mid.transport.subscribe('x');
    up.parentWrites({ clustr: 1, channel: 'x', meta: { group: 'master' }, data: 'live' });
    await leaf.child.receivedCount(1, 'the message on "x" below the retried subscription');
    expect(mid.received.map((m) => m.envelope.data)).toEqual(['live']);
  });
});
