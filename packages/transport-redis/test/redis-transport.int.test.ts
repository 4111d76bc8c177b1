import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeData, encodeMeta } from '@clustr/protocol';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { createRedisTransport, type RedisTransport, type restoreTransport } from '../src/index.js';
import { eventually } from './eventually.js';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const meta = encodeMeta({ workerId: 'w1', group: 'web' });
const file = redisForFile();
let namespaces = 0;

function transportFor(namespace = `t${++namespaces}`, options = {}): RedisTransport {
  return file.transport(namespace, options);
}

/** A plain client of the test's server, to see payloads as they travel. */
async function rawClient() {
  const client = createClient({ url: file.server.url });
  await client.connect();
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

describe('redis transport over a real redis-server', () => {
  it('delivers its own publishes asynchronously, in order, with the sender meta', async () => {
    const transport = transportFor();
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    for (let i = 0; i < 200; i++) transport.publish('public', meta, encodeData({ i }));
    expect(recorder.messages).toHaveLength(0);
    await recorder.waitForMessages(200, '200 own messages on public');
    expect(recorder.messages.map((m) => (m.envelope.data as { i: number }).i)).toEqual([
      ...Array(200).keys(),
    ]);
    expect(recorder.messages[0]).toEqual({
      channel: 'public',
      envelope: { meta: meta.meta, data: { i: 0 } },
    });
    expect(transport.stats()).toMatchObject({ published: 200, received: 200, badPayloads: 0 });
  });

  it('sends a burst as one payload per channel, the channels in one batch command, each in order', async () => {
    const transport = transportFor('burst');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('a');
    await transport.subscribe('b');
    const calls = async (command: string) =>
      Number(
        new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(
          await file.server.cli('INFO', 'commandstats'),
        )?.[1] ?? 0,
      );
    const [evals, publishes] = [await calls('eval'), await calls('publish')];
    for (let i = 0; i < 1500; i++) transport.publish(i % 2 ? 'a' : 'b', meta, encodeData({ i }));
    await recorder.waitForMessages(1500, '1,500 messages of one burst');
    const sent = (channel: string) =>
      recorder.messages.filter((m) => m.channel === channel).map((m) => (m.envelope.data as { i: number }).i);
    expect(sent('b')).toEqual([...Array(1500).keys()].filter((i) => i % 2 === 0));
    expect(sent('a')).toEqual([...Array(1500).keys()].filter((i) => i % 2 === 1));
    // Two payloads (one run per channel) in one EVAL: two PUBLISHes server-side, not 1,500.
    expect((await calls('eval')) - evals).toBe(1);
    expect((await calls('publish')) - publishes).toBe(2);
    expect(transport.stats()).toMatchObject({ published: 1500, received: 1500 });
  });

  it('sends a turn as runs split at maxBatchBytes and a lone message as a bare envelope', async () => {
    const transport = transportFor('split', { maxBatchBytes: 2048 });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('a');
    await using spy = await rawClient();
    const payloads: string[] = [];
    await spy.subscribe('split:a', (message) => payloads.push(message));
    for (let i = 0; i < 1000; i++) transport.publish('a', meta, encodeData({ i }));
    await recorder.waitForMessages(1000, 'the 1,000 messages of the split turn');
    await new Promise<void>((resolve) => setImmediate(resolve));
    transport.publish('a', meta, encodeData('lone'));
    await recorder.waitForMessages(1001, 'the lone message');
    await eventually(() => payloads.at(-1)?.includes('"lone"') === true, 'the spy to see the lone payload');
    expect(payloads.at(-1)).toMatch(
      /^\{"meta":\{"workerId":"w1","group":"web"\},"data":"lone","src":"[\w-]{12}","seq":\d+\}$/,
    );
    const runs = payloads.slice(0, -1);
    expect(runs.length).toBeGreaterThan(4);
    for (const payload of runs) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(2048);
    // One meta per run, the messages' data in publish order.
    const parsed = runs.map((payload) => JSON.parse(payload) as { meta: unknown; run: { i: number }[] });
    for (const run of parsed) expect(run.meta).toEqual({ workerId: 'w1', group: 'web' });
    expect(parsed.flatMap((run) => run.run.map((data) => data.i))).toEqual([...Array(1000).keys()]);
  });

  it('falls back to one PUBLISH per message for a user that may not run scripts', async () => {
    await file.server.cli(
      'ACL',
      'SETUSER',
      'noscript',
      'on',
      '>pw',
      '~*',
      '&*',
      '+@all',
      '-eval',
      '-evalsha',
    );
    const transport = createRedisTransport({
      url: `redis://noscript:pw@127.0.0.1:${file.server.port}`,
      namespace: 'noscript',
    });
    file.track(transport);
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('a');
    for (let i = 0; i < 300; i++) transport.publish('a', meta, encodeData({ i }));
    await recorder.waitForMessages(300, '300 messages published without scripts');
    expect(recorder.messages.map((m) => (m.envelope.data as { i: number }).i)).toEqual([
      ...Array(300).keys(),
    ]);
    expect(recorder.errors).toEqual([]);
  });

  it('keeps one Redis subscription per channel however often it is subscribed', async () => {
    const transport = transportFor('refs');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await Promise.all([
      transport.subscribe('jobs'),
      transport.subscribe('jobs'),
      transport.subscribe('jobs'),
    ]);
    expect(await file.server.cli('PUBSUB', 'NUMSUB', 'refs:jobs')).toBe('refs:jobs\n1');
    await transport.unsubscribe('jobs');
    await transport.unsubscribe('jobs');
    transport.publish('jobs', meta, '1');
    await recorder.waitForMessages(1, 'a message while one reference remains');
    await transport.unsubscribe('jobs');
    expect(await file.server.cli('PUBSUB', 'NUMSUB', 'refs:jobs')).toBe('refs:jobs\n0');
  });

  it('settles subscribe/unsubscribe races to the registry, delivering once', async () => {
    const transport = transportFor('race');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await Promise.all([transport.subscribe('x'), transport.unsubscribe('x'), transport.subscribe('x')]);
    await Promise.all([transport.subscribe('y'), transport.unsubscribe('y')]);
    await transport.subscribe('z');
    await Promise.all([transport.unsubscribe('z'), transport.subscribe('z')]);
    expect(await file.server.cli('PUBSUB', 'NUMSUB', 'race:x', 'race:y', 'race:z')).toBe(
      'race:x\n1\nrace:y\n0\nrace:z\n1',
    );
    transport.publish('x', meta, '"once"');
    transport.publish('z', meta, '"sentinel"');
    await recorder.waitForMessages(2, 'the message and the sentinel');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(['once', 'sentinel']);
  });

  it('never lets two namespaces on one server see each other', async () => {
    const a = transportFor('alpha');
    const b = transportFor('beta');
    const [seenA, seenB] = [record(a), record(b)];
    await Promise.all([a.connect({ group: 'master' }), b.connect({ group: 'master' })]);
    await Promise.all([a.subscribe('public'), b.subscribe('public')]);
    await file.server.cli('PUBLISH', 'beta:public', '{"meta":{"group":"ops"},"data":"for beta"}');
    await file.server.cli('PUBLISH', 'alpha:public', '{"meta":{"group":"ops"},"data":"for alpha"}');
    await seenA.waitForMessages(1, 'alpha message');
    await seenB.waitForMessages(1, 'beta message');
    a.publish('public', meta, '"from alpha"');
    await seenA.waitForMessages(2, 'own alpha publish');
    b.publish('public', meta, '"from beta"');
    await seenB.waitForMessages(2, 'own beta publish');
    expect(seenA.messages.map((m) => m.envelope.data)).toEqual(['for alpha', 'from alpha']);
    expect(seenB.messages.map((m) => m.envelope.data)).toEqual(['for beta', 'from beta']);
  });

  it('takes kill orders as an envelope or as a bare exit code from redis-cli', async () => {
    const transport = transportFor('kills');
    const recorder = record(transport);
    await transport.connect({ workerId: 'w7', group: 'web' });
    await transport.subscribe('kill:w7');
    expect(await file.server.cli('PUBLISH', 'kills:kill:w7', '3')).toBe('1');
    await file.server.cli('PUBLISH', 'kills:kill:w7', '{"meta":{"group":"master"},"data":5}');
    await recorder.waitForMessages(2, 'two kill orders');
    expect(recorder.messages).toEqual([
      { channel: 'kill:w7', envelope: { meta: { group: 'external' }, data: 3 } },
      { channel: 'kill:w7', envelope: { meta: { group: 'master' }, data: 5 } },
    ]);
  });

  it('drops, counts and reports bad payloads (throttled per channel); later messages still arrive', async () => {
    const transport = transportFor('bad');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    await file.server.cli('PUBLISH', 'bad:public', 'not json');
    await file.server.cli('PUBLISH', 'bad:public', '{"data":1}');
    await file.server.cli('PUBLISH', 'bad:public', '7');
    await file.server.cli('PUBLISH', 'bad:public', '{"meta":{"group":"ops"},"data":"hi"}');
    await recorder.waitForMessages(1, 'the valid message after three bad ones');
    expect(recorder.messages[0]?.envelope).toEqual({ meta: { group: 'ops' }, data: 'hi' });
    expect(transport.stats().badPayloads).toBe(3);
    // The first at once; the other two summed up when the second ends, or at close.
    expect(recorder.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(recorder.errors[0]?.message).toMatch(/bad:public.*not JSON/);
    await transport.close();
    expect(recorder.errors[1]).toMatchObject({
      code: 'ERR_CLUSTR_BAD_FRAME',
      message: expect.stringMatching(/^2 more like this from redis channel "bad:public"/),
      details: { channel: 'public', count: 2 },
    });
  });

  it('takes arrays of envelopes from another client: bad elements dropped and reported, nested arrays refused, the rest in order', async () => {
    const transport = transportFor('arrays');
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    await transport.subscribe('nested');
    const ok = (data: unknown) => JSON.stringify({ meta: { group: 'ops' }, data });
    // Its own channel, so its report is the first of that channel's throttle and goes out at once.
    await file.server.cli('PUBLISH', 'arrays:nested', `[[${ok('deep')}]]`);
    const mixed = [ok(1), '{"meta":{"group":"ops"}}', `[${ok('nested')}]`, '"text"', ok(2)];
    await file.server.cli('PUBLISH', 'arrays:public', `[${mixed.join(',')}]`);
    await file.server.cli('PUBLISH', 'arrays:public', '[]');
    const many = Array.from({ length: 10_000 }, (_, i) => ok(i + 3));
    await using client = await rawClient();
    await client.publish('arrays:public', `[${many.join(',')}]`);
    await recorder.waitForMessages(10_002, 'the valid envelopes of both arrays');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(
      [...Array(10_002).keys()].map((i) => i + 1),
    );
    expect(transport.stats()).toMatchObject({ received: 10_002, badPayloads: 5 });
    await transport.close();
    const messages = recorder.errors.map((error) => error.message).join('\n');
    expect(recorder.errors.every((error) => error.code === 'ERR_CLUSTR_BAD_FRAME')).toBe(true);
    expect(messages).toMatch(
      /dropped envelope 2 of 5 of an array on redis channel "arrays:public": .*"data" is missing/,
    );
    // The throttle sums up the rest of the channel: 1 at once, 3 more (a nested array among them) at close.
    expect(messages).toMatch(/3 more like this from redis channel "arrays:public"/);
    expect(messages).toMatch(
      /dropped envelope 1 of 1 of an array on redis channel "arrays:nested": an array inside an array of envelopes is refused/,
    );
  });

  it('queues what is published before connect, bounded, and sends it once subscriptions are live', async () => {
    const transport = transportFor('early', { maxQueuedMessages: 5 });
    const recorder = record(transport);
    const live = transport.subscribe('public');
    for (let i = 0; i < 7; i++) transport.publish('public', meta, String(i));
    expect(recorder.errors.map((e) => e.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    await transport.connect({ group: 'master' });
    await live;
    await recorder.waitForMessages(5, 'the five queued messages');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([0, 1, 2, 3, 4]);
    expect(transport.stats()).toMatchObject({ dropped: 2, queued: 0 });
  });

  it('describes itself so a child can rebuild it', async () => {
    const transport = transportFor('desc', { clientName: 'parent' });
    const descriptor = transport.describe();
    expect(descriptor).toMatchObject({ name: 'redis', options: { url: file.server.url, namespace: 'desc' } });
    expect(descriptor.options).not.toHaveProperty('clientName');
    expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
    const module = (await import(descriptor.module)) as { restoreTransport: typeof restoreTransport };
    const child = module.restoreTransport(descriptor.options);
    file.track(child);
    const recorder = record(transport);
    await Promise.all([
      transport.connect({ group: 'master' }),
      child.connect({ workerId: 'c1', group: 'web' }),
    ]);
    await transport.subscribe('master');
    child.publish('master', encodeMeta({ workerId: 'c1', group: 'web' }), '"hello parent"');
    await recorder.waitForMessages(1, 'the child message');
    expect(recorder.messages[0]?.envelope).toEqual({
      meta: { workerId: 'c1', group: 'web' },
      data: 'hello parent',
    });
  });

  it('closes idempotently and leaves nothing that keeps a process alive', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-and-exit.ts', import.meta.url));
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=@clustr/source', fixture, file.server.url],
        { cwd: packageDir, timeout: 15_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`fixture failed: ${stderr || error.message}`)) : resolve(stdout),
      );
    });
    expect(output.trim()).toBe('received 3; closed twice');
    expect(await file.server.cli('PUBSUB', 'NUMSUB', 'exit:public')).toBe('exit:public\n0');
  });
});
