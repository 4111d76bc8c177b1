import { describe, expect, it } from 'vitest';
import { createNode, FakeLinkPair, link, waitUntil } from '../test/fake-links.js';

interface SentFrame {
  type?: string;
  channels?: string[];
  id?: number;
  frames?: SentFrame[];
}

/** The frames a child sent up, batches opened. */
function framesOf(sends: readonly object[]): SentFrame[] {
  return (sends as SentFrame[]).flatMap((sent) => (sent.type === 'batch' ? sent.frames! : [sent]));
}

/** The id of the last `sub` frame sent up for `channel`. */
function lastSubId(pair: FakeLinkPair, channel: string): number {
  const subs = framesOf(pair.sends).filter((f) => f.type === 'sub' && f.channels?.includes(channel));
  const sub = subs[subs.length - 1];
  if (sub?.id === undefined) throw new Error(`no sub frame for "${channel}" was sent`);
  return sub.id;
}

function hasSub(pair: FakeLinkPair, channel: string): boolean {
  return framesOf(pair.sends).some((f) => f.type === 'sub' && f.channels?.includes(channel));
}

describe('Subscriptions after an ack timeout', () => {
  it('a subscribe after a timed-out one sends a new sub and resolves once that is acked', async () => {
    // Nobody adopts the pair's link: the parent never acks unless the test does.
    const up = new FakeLinkPair('a');
    const child = createNode('a', up.port, { ackTimeoutMs: 20 });
    await expect(child.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    const expiredId = lastSubId(up, 'x');

    up.sends.length = 0;
    const again = child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'a new sub for "x" after the timeout');
    const newId = lastSubId(up, 'x');
    expect(newId).not.toBe(expiredId);
    // The unsub first keeps the parent's count of this link right if the first sub reached it.
    expect(framesOf(up.sends)).toEqual([
      { clustr: 1, type: 'unsub', channels: ['x'] },
      { clustr: 1, type: 'sub', channels: ['x'], id: newId },
    ]);
    up.messages.emit({ clustr: 1, type: 'ack', id: expiredId });
    up.messages.emit({ clustr: 1, type: 'ack', id: newId });
    await again;
    await child.transport.subscribe('x');
  });

  it('the handshake does not wait on a timed-out sub', async () => {
    const up = new FakeLinkPair('a');
    const child = createNode('a', up.port, { ackTimeoutMs: 20 });
    await expect(child.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    up.sends.length = 0;
    const connected = child.transport.connect({ workerId: 'a', group: 'test' });
    await waitUntil(() => framesOf(up.sends).some((f) => f.type === 'sub'), 'the handshake');
    const handshake = framesOf(up.sends).find((f) => f.type === 'sub')!;
    expect(handshake.channels).toEqual([]);
    let isConnected = false;
    const settled = connected.then(() => {
      isConnected = true;
    });
    up.messages.emit({ clustr: 1, type: 'ack', id: handshake.id });
    await waitUntil(() => isConnected, 'connect() to resolve once the handshake alone is acked');
    await settled;
  });

  it('a child whose sub waited on a timed-out upstream sub gets no ack; its next sub is retried', async () => {
    const up = new FakeLinkPair('mid');
    const mid = createNode('mid', up.port, { ackTimeoutMs: 20 });
    const leaf = link(mid, 'leaf', { ackTimeoutMs: 40 });
    const leafFirst = leaf.child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'mid to subscribe upwards for the leaf');
    // A local subscriber keeps mid's route alive across the leaf's unsub below.
    await expect(mid.transport.subscribe('x')).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    await expect(leafFirst).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
    expect(leaf.pair.writes.join('')).not.toContain('"type":"ack"');

    up.sends.length = 0;
    const leafAgain = leaf.child.transport.subscribe('x');
    await waitUntil(() => hasSub(up, 'x'), 'mid to send a new sub upwards for the retried leaf sub');
    const newId = lastSubId(up, 'x');
    expect(framesOf(up.sends)).toEqual([
      { clustr: 1, type: 'unsub', channels: ['x'] },
      { clustr: 1, type: 'sub', channels: ['x'], id: newId },
    ]);
    up.messages.emit({ clustr: 1, type: 'ack', id: newId });
    await leafAgain;
    await mid.transport.subscribe('x');
    up.messages.emit({ clustr: 1, channel: 'x', meta: { group: 'master' }, data: 'live' });
    await leaf.child.receivedCount(1, 'the message on "x" below the retried subscription');
    expect(mid.received.map((m) => m.envelope.data)).toEqual(['live']);
  });
});
