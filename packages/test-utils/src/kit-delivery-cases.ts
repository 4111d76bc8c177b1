import { encodeMeta, isClustrError } from '@clustr/protocol';
import { expect, it } from 'vitest';
import { freshChannel, openProbed, probe, send } from './kit-probe.js';
import type { KitContext } from './transport-kit.js';

/** Subscribe, unsubscribe, delivery as `{ meta, data }`, order, and throwing handlers. */
export function deliveryCases(kit: KitContext): void {
  it('delivers a message published to a subscribed channel to onMessage as { meta, data }, never inside publish', async () => {
    const channel = freshChannel('deliver');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    const data = { n: 1, text: 'héllo ✓', list: [true, null] };
    send(transport, channel, data);
    expect(seen.messages).toEqual([]);
    const message = await seen.message(channel, data);
    expect(message.envelope).toEqual({ meta: { group: 'kit' }, data });
  });

  it('makes subscriptions asked for before connect live by the time connect resolves', async () => {
    const channel = freshChannel('early');
    const transport = await kit.make();
    const seen = probe(transport, kit.timeoutMs);
    const subscribed = transport.subscribe(channel);
    await transport.connect({ group: 'kit' });
    await subscribed;
    send(transport, channel, 'early');
    await seen.message(channel, 'early');
  });

  it('delivers nothing on a channel after unsubscribe (proved by a fence on another channel)', async () => {
    const channel = freshChannel('gone');
    const fence = freshChannel('fence');
    const { transport, probe: seen } = await openProbed(kit, [channel, fence]);
    send(transport, channel, 'before');
    await seen.message(channel, 'before');
    await transport.unsubscribe(channel);
    send(transport, channel, 'after');
    send(transport, fence, 'fence');
    await seen.message(fence, 'fence');
    expect(seen.dataOn(channel)).toEqual(['before']);
  });

  it('keeps per-sender order: N messages arrive in publish order, across event-loop turns', async () => {
    const channel = freshChannel('order');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    const half = Math.floor(kit.orderCount / 2);
    for (let i = 0; i < half; i++) send(transport, channel, i);
    // A second burst in a later turn: batching per turn must not reorder across turns.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = half; i < kit.orderCount; i++) send(transport, channel, i);
    await seen.message(channel, kit.orderCount - 1);
    expect(seen.dataOn(channel)).toEqual(Array.from({ length: kit.orderCount }, (_, i) => i));
  });

  it('reports a throwing onMessage handler through onError and still delivers later messages', async () => {
    const channel = freshChannel('throw');
    const transport = await kit.make();
    transport.onMessage(() => {
      throw new Error('handler failed on purpose');
    });
    const seen = probe(transport, kit.timeoutMs);
    await transport.connect({ group: 'kit' });
    await transport.subscribe(channel);
    for (const n of [1, 2, 3]) send(transport, channel, n);
    await seen.message(channel, 3);
    expect(seen.dataOn(channel)).toEqual([1, 2, 3]);
    const reported = await seen.error(isClustrError, 'the thrown handler error reported as a ClustrError');
    expect(reported.message).toMatch(/handler failed on purpose/);
  });

  it('stops calling a handler once the function onMessage returned is called', async () => {
    const channel = freshChannel('off');
    const { transport, probe: seen } = await openProbed(kit, [channel]);
    const removed: unknown[] = [];
    const off = transport.onMessage((_channel, envelope) => removed.push(envelope.data));
    send(transport, channel, 1);
    await seen.message(channel, 1);
    off();
    send(transport, channel, 2);
    await seen.message(channel, 2);
    expect(removed).toEqual([1]);
  });

  // Registered only where two transports of the factory share a cluster (not for IPC roots).
  if (!kit.isShared) return;
  it('moves messages between two transports of one cluster, in order, with the sender meta', async () => {
    const channel = freshChannel('peer');
    const a = await openProbed(kit, [], { workerId: 'kit-a', group: 'kit' });
    const b = await openProbed(kit, [channel], { workerId: 'kit-b', group: 'kit' });
    const meta = encodeMeta({ workerId: 'kit-a', group: 'kit' });
    for (let i = 0; i < 100; i++) send(a.transport, channel, i, meta);
    await b.probe.message(channel, 99);
    expect(b.probe.dataOn(channel)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(b.probe.messages[0]?.envelope.meta).toEqual(meta.meta);
  });
}
