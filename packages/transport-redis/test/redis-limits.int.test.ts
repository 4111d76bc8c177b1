import { encodeEnvelope, encodeMeta } from '@clustr/protocol';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { MAX_AUDIENCE_CHANNELS } from '../src/audience-log.js';
import { NUMBERING_OVERHEAD_BYTES } from '../src/build-payloads.js';
import { SIGNATURE_OVERHEAD_BYTES } from '../src/frame-signature.js';
import { createRedisTransport } from '../src/index.js';
import { RedisPublisher } from '../src/redis-publisher.js';
import { resolveRedisOptions } from '../src/redis-transport-options.js';
import { eventually } from './eventually.js';
import { record } from './recorder.js';

const meta = encodeMeta({ workerId: 'w1', group: 'web' });

/** A JSON string whose envelope is exactly `bytes` UTF-8 bytes, mostly two-byte characters. */
function wideDataOfBytes(bytes: number): string {
  const room = bytes - Buffer.byteLength(encodeEnvelope(meta.json, '""'));
  return JSON.stringify('é'.repeat(Math.floor(room / 2)) + 'a'.repeat(room % 2));
}

describe('redis transport limits', () => {
  it('bounds what waits for a stalled server: drops past maxInFlightMessages, one report per episode', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'stall',
      maxInFlightMessages: 10,
    });
    const recorder = record(transport);
    const queueFull = () => recorder.errors.filter((e) => e.code === 'ERR_CLUSTR_QUEUE_FULL');
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    // The server stops answering PUBLISH and EVAL without closing the connection.
    await redis.cli('CLIENT', 'PAUSE', '1500', 'WRITE');
    for (let i = 0; i < 6; i++) transport.publish('public', meta, String(i));
    await eventually(() => transport.stats().inFlight === 6, 'six messages in flight to the paused server');
    // 6 in flight + 4 of this turn reach the bound: 10…14 are dropped.
    for (let i = 6; i < 15; i++) transport.publish('public', meta, String(i));
    await eventually(() => transport.stats().inFlight === 10, 'ten messages in flight');
    for (let i = 15; i < 18; i++) transport.publish('public', meta, String(i));
    expect(queueFull()).toHaveLength(1);
    expect(queueFull()[0]?.message).toMatch(/10 messages wait for redis .*maxInFlightMessages/);
    expect(transport.stats()).toMatchObject({ inFlight: 10, dropped: 8, queued: 0 });

    await recorder.waitForMessages(10, 'the ten accepted messages once the pause ends');
    await eventually(() => transport.stats().inFlight === 0, 'every reply after the pause');
    transport.publish('public', meta, '"after"');
    await recorder.waitForMessages(11, 'a message published after the pause');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([...Array(10).keys(), 'after']);
    expect(queueFull()).toHaveLength(1);
    // The subscriber may hear "after" before the publisher hears its reply: until then it is in
    // flight, and the burst below would find one place fewer (CI caught 9 accepted, not 10).
    await eventually(() => transport.stats().inFlight === 0, 'the reply to "after"');

    // Below half the bound the episode is over: the next overflow is reported again.
    for (let i = 0; i < 11; i++) transport.publish('public', meta, String(i));
    expect(queueFull()).toHaveLength(2);
    await recorder.waitForMessages(21, 'the ten messages of the second episode');
    expect(transport.stats()).toMatchObject({ dropped: 9, published: 21 });
  });

  it('checks maxPayloadBytes in UTF-8 bytes when sending, as receivers do', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({ url: redis.url, namespace: 'size', maxPayloadBytes: 200 });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    // Room for the numbering the payload will carry: what leaves is at most 200 bytes.
    const limit = 200 - NUMBERING_OVERHEAD_BYTES;
    const tooWide = wideDataOfBytes(limit + 1);
    expect(encodeEnvelope(meta.json, tooWide).length).toBeLessThan(limit);
    const justFits = wideDataOfBytes(limit);
    transport.publish('public', meta, tooWide);
    transport.publish('public', meta, justFits);
    await recorder.waitForMessages(1, 'the payload of exactly maxPayloadBytes');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([JSON.parse(justFits)]);
    expect(recorder.errors).toHaveLength(1);
    expect(recorder.errors[0]).toMatchObject({
      code: 'ERR_CLUSTR_INVALID_DATA',
      details: { channel: 'public', size: limit + 1, maxPayloadBytes: 200 },
    });
    expect(recorder.errors[0]?.message).toMatch(
      new RegExp(
        `${limit + 1} bytes .*maxPayloadBytes \\(200\\) less the ${NUMBERING_OVERHEAD_BYTES} bytes its numbering adds`,
      ),
    );
  });

  it('keeps a signed payload within maxPayloadBytes at the receivers, signature included', async () => {
    await using redis = await startRedisServer();
    const options = {
      url: redis.url,
      namespace: 'signed-size',
      maxPayloadBytes: 2000,
      secret: 'x'.repeat(32),
    };
    await using transport = createRedisTransport(options);
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    const limit = 2000 - SIGNATURE_OVERHEAD_BYTES - NUMBERING_OVERHEAD_BYTES;
    transport.publish('public', meta, wideDataOfBytes(limit + 1));
    transport.publish('public', meta, wideDataOfBytes(limit));
    await recorder.waitForMessages(1, 'the payload that is maxPayloadBytes once signed');
    expect(recorder.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /larger than maxPayloadBytes \(2000\) less the 115 bytes its numbering and signature add/,
      ),
    ]);
    expect(transport.stats()).toMatchObject({ badPayloads: 0, forbidden: 0, received: 1 });
  });

  it('keeps the audience log bounded after 100,000 distinct channels', async () => {
    await using redis = await startRedisServer();
    const errors: unknown[] = [];
    const publisher = new RedisPublisher(resolveRedisOptions({ url: redis.url, namespace: 'aud' }, {}), {
      report: (error) => errors.push(error),
      down: (error) => errors.push(error),
      up: () => {},
    });
    await publisher.open('aud:test');
    publisher.release();
    for (let i = 0; i < 100_000; i++) publisher.publish(`aud:job-${i}`, '{"group":"master"}', '1');
    // In flight from the end of this turn on; none once every reply is in.
    await eventually(
      () => publisher.audienceSize > 0 && publisher.inFlight === 0,
      'the replies to 100,000 publishes',
      20_000,
    );
    expect(publisher.published).toBe(100_000);
    expect(publisher.audienceSize).toBe(MAX_AUDIENCE_CHANNELS);
    await publisher.close();
    expect(errors).toEqual([]);
  });
});
