import { setTimeout as delay } from 'node:timers/promises';
import { type ClustrError, encodeData, encodeMeta } from '@clustr/protocol';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import type { RedisTransport, RedisTransportOptions } from '../src/index.js';
import { eventually } from './eventually.js';
import { fakeLink } from './fake-link.js';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';
import { signArrayAs, signAs } from './sign.js';

const SECRET = 'the-cluster-secret-0123456789abcdef';
const OTHER_SECRET = 'another-cluster-secret-0123456789ab';
const meta = encodeMeta({ group: 'master' });
const file = redisForFile({ secret: SECRET });
const transportFor = (namespace: string, options: RedisTransportOptions = {}): RedisTransport =>
  file.transport(namespace, options);

/** A client of the server that is not part of the cluster: it can PUBLISH, it has no secret. */
async function hostileClient() {
  const client = createClient({ url: file.server.url });
  await client.connect();
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

/** Sum of what the reports stand for: 1 each, or the count a throttle summed up. */
const reported = (errors: readonly ClustrError[]) =>
  errors.reduce(
    (sum, error) => sum + (typeof error.details?.count === 'number' ? error.details.count : 1),
    0,
  );

describe('signed frames against a hostile client', () => {
  it('obeys no unsigned, wrongly signed, replayed, future or bare-code kill; a signed payload from outside passes', async () => {
    const transport = transportFor('hostile');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w7', group: 'web' });
    await Promise.all([transport.subscribe('kill:w7'), transport.subscribe('public')]);
    await using client = await hostileClient();
    const kill = { meta: { group: 'ops' }, data: 3 };
    const now = Date.now();
    const attacks: [string, string][] = [
      ['hostile:kill:w7', '3'],
      ['hostile:kill:w7', JSON.stringify(kill)],
      ['hostile:kill:w7', signAs(OTHER_SECRET, 'hostile:kill:w7', kill)],
      ['hostile:kill:w7', signAs(SECRET, 'hostile:kill:w7', kill, now - 60_000)],
      ['hostile:kill:w7', signAs(SECRET, 'hostile:kill:w7', kill, now + 60_000)],
      // A real kill order for another worker, published again on w7's channel.
      ['hostile:kill:w7', signAs(SECRET, 'hostile:kill:w8', kill)],
      ['hostile:public', JSON.stringify({ meta: { group: 'ops' }, data: 'unsigned' })],
    ];
    for (const [channel, payload] of attacks) await client.publish(channel, payload);
    // Signed by hand as the README shows another language doing it; it arrives after the attacks.
    await client.publish(
      'hostile:public',
      signAs(SECRET, 'hostile:public', { meta: { group: 'ops' }, data: 'fence' }),
    );
    await recorder.waitForMessages(1, 'the signed fence after the attacks');
    expect(recorder.messages).toEqual([
      { channel: 'public', envelope: { meta: { group: 'ops' }, data: 'fence' } },
    ]);
    expect(transport.stats()).toMatchObject({ forbidden: 7, badPayloads: 0, received: 1 });
    await transport.close();
    expect(recorder.errors.every((error) => error.code === 'ERR_CLUSTR_FORBIDDEN')).toBe(true);
    expect(reported(recorder.errors)).toBe(7);
    const faults = recorder.errors.map((error) => error.details?.fault);
    expect(new Set(faults)).toEqual(new Set(['unsigned', 'wrongly signed', 'outside the replay window']));
    expect(recorder.errors.find((e) => /bare exit code/.test(e.message))?.message).toMatch(
      /redis channel "hostile:kill:w7": a bare exit code is not obeyed when the transport has a secret/,
    );
  });

  it('reports a flood of 1,000 bad frames in a handful of reports that add up to 1,000', async () => {
    const transport = transportFor('flood');
    const sender = transportFor('flood');
    const recorder = record(transport);
    await Promise.all([
      transport.connect({ group: 'master' }),
      sender.connect({ workerId: 'w1', group: 'web' }),
    ]);
    await transport.subscribe('public');
    await using client = await hostileClient();
    const forged = signAs(OTHER_SECRET, 'flood:public', { meta: { group: 'ops' }, data: 'forged' });
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => client.publish('flood:public', i % 2 ? forged : `garbage ${i}`)),
    );
    sender.publish('public', encodeMeta({ workerId: 'w1', group: 'web' }), '"fence"');
    await recorder.waitForMessages(1, 'the fence from a second transport with the same secret');
    expect(transport.stats().forbidden).toBe(1000);
    await transport.close();
    expect(reported(recorder.errors)).toBe(1000);
    expect(recorder.errors.length).toBeLessThanOrEqual(8);
    expect(recorder.errors.filter((e) => e.details?.count !== undefined).map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\d+ more like this from redis channel "flood:public" \(unsigned\)/),
      ]),
    );
  });

  it('takes an array signed once as a whole, from outside; refuses it forged, replayed late or on another channel', async () => {
    const transport = transportFor('arrays');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w7', group: 'web' });
    await transport.subscribe('public');
    await using client = await hostileClient();
    const envelopes = [1, 2, 3].map((data) => ({ meta: { group: 'ops' }, data }));
    const good = signArrayAs(SECRET, 'arrays:public', envelopes);
    const attacks = [
      good.replace('"data":2', '"data":9'),
      signArrayAs(SECRET, 'arrays:master', envelopes),
      signArrayAs(SECRET, 'arrays:public', envelopes, Date.now() - 60_000),
      signArrayAs(OTHER_SECRET, 'arrays:public', envelopes),
      JSON.stringify(envelopes),
    ];
    for (const payload of attacks) await client.publish('arrays:public', payload);
    await client.publish('arrays:public', good);
    // Replayed within the window on the same channel it passes: the documented limit of signing.
    await recorder.waitForMessages(3, 'the three envelopes of the one good array');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([1, 2, 3]);
    expect(transport.stats()).toMatchObject({ forbidden: 5, received: 3, badPayloads: 0 });
    await transport.close();
    expect(reported(recorder.errors)).toBe(5);
  });

  it('talks signed both ways with a second transport of the same secret; not with another secret', async () => {
    const a = transportFor('pair');
    const b = transportFor('pair');
    const stranger = transportFor('pair', { secret: OTHER_SECRET });
    const unsigned = transportFor('pair', { secret: undefined });
    const all = [a, b, stranger, unsigned];
    const seen = all.map(record);
    await Promise.all(all.map((t, i) => t.connect({ workerId: `p${i}`, group: 'pair' })));
    await Promise.all(all.map((t) => t.subscribe('public')));
    for (const [i, t] of all.entries()) {
      t.publish('public', encodeMeta({ workerId: `p${i}`, group: 'pair' }), encodeData(`from p${i}`));
    }
    await eventually(
      () => all.every((t) => t.stats().received + t.stats().forbidden === 4),
      'every transport to take or refuse all four messages',
    );
    const got = seen.map((s) => s.messages.map((m) => m.envelope.data).sort());
    expect(got[0]).toEqual(['from p0', 'from p1']);
    expect(got[1]).toEqual(['from p0', 'from p1']);
    expect(got[2]).toEqual(['from p2']);
    // Without a secret a process reads signed and unsigned alike (ts and sig are unknown fields to it).
    expect(got[3]).toEqual(['from p0', 'from p1', 'from p2', 'from p3']);
  });

  it('signs what it relays for a foreign child, which never holds the secret', async () => {
    const parent = transportFor('relay-signed');
    const receiver = transportFor('relay-signed');
    const recorder = record(receiver);
    await Promise.all([
      parent.connect({ group: 'master' }),
      receiver.connect({ workerId: 'r1', group: 'web' }),
    ]);
    await receiver.subscribe('master');
    await using spy = await hostileClient();
    const raw: string[] = [];
    await spy.subscribe('relay-signed:master', (message) => raw.push(message));
    const link = fakeLink('bash1');
    parent.adopt(link);
    link.frame({ clustr: 1, channel: 'master', meta: { workerId: 'bash1', group: 'bash' }, data: 'hi' });
    await recorder.waitForMessages(1, 'the relayed frame at a receiver with the secret');
    expect(recorder.messages[0]?.envelope).toEqual({
      meta: { workerId: 'bash1', group: 'bash' },
      data: 'hi',
    });
    await eventually(() => raw.length === 1, 'the relayed payload at a plain subscriber');
    expect(raw[0]).toMatch(
      /^\{"meta":\{"workerId":"bash1","group":"bash"\},"data":"hi","src":"[\w-]{12}","seq":1,"ts":\d+,"sig":"[\w-]{43}"\}$/,
    );
  });

  it('stamps a backlog as it leaves, not as it was published: held past the window, it still passes', async () => {
    const transport = transportFor('late', { replayWindowMs: 100 });
    const recorder = record(transport);
    const live = transport.subscribe('public');
    transport.publish('public', meta, '"queued before connect"');
    // The condition under test is time itself: the message waits longer than the replay window.
    await delay(300);
    await transport.connect({ group: 'master' });
    await live;
    await recorder.waitForMessages(1, 'the queued message');
    expect(recorder.errors).toEqual([]);
  });
});
