import { encodeMeta } from '@clustr/protocol';
import { type RedisServer, startRedisServer, testTransport } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';
import { eventually } from './eventually.js';
import { record } from './recorder.js';

const MAX_BYTES = 64 * 1024;
const SECRET = 'the-kit-secret-0123456789abcdefghij';
/**
 * The README's least-privilege user for namespace `kit-acl`: its channels only, no keys, and the
 * commands the transport sends (AUTH is always allowed).
 */
const ACL_RULES = [
  'on',
  '>kit-password',
  'resetchannels',
  '&kit-acl:*',
  'resetkeys',
  '-@all',
  '+publish',
  '+subscribe',
  '+unsubscribe',
  '+eval',
  '+pubsub|numsub',
  '+ping',
  '+info',
  '+client|setname',
];
let redis: RedisServer;
let aclUrl: string;

beforeAll(async () => {
  redis = await startRedisServer();
  await redis.cli('ACL', 'SETUSER', 'clustr-kit', ...ACL_RULES);
  aclUrl = `redis://clustr-kit:kit-password@127.0.0.1:${redis.port}`;
});
afterAll(async () => {
  await redis?.stop();
});

// One namespace: two transports of one test are one cluster; the kit gives every test its own channels.
testTransport(
  'redis',
  () => createRedisTransport({ url: redis.url, namespace: 'kit', maxPayloadBytes: MAX_BYTES }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);

// The same contract signed, as the least-privilege ACL user: what it needs is what the README lists.
testTransport(
  'redis, signed, least-privilege ACL user',
  () =>
    createRedisTransport({ url: aclUrl, namespace: 'kit-acl', maxPayloadBytes: MAX_BYTES, secret: SECRET }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);

describe('the least-privilege ACL user', () => {
  it('needs nothing more through reconnects with a backlog (PUBSUB NUMSUB) and a subscriber drop (INFO)', async () => {
    const options = { url: aclUrl, namespace: 'kit-acl', secret: SECRET, reconnectInitialDelayMs: 20 };
    await using a = createRedisTransport(options);
    await using b = createRedisTransport(options);
    const [seenA, seenB] = [record(a), record(b)];
    await Promise.all([
      a.connect({ workerId: 'a', group: 'acl' }),
      b.connect({ workerId: 'b', group: 'acl' }),
    ]);
    await b.subscribe('public');
    const meta = encodeMeta({ workerId: 'a', group: 'acl' });
    a.publish('public', meta, '"one"');
    await seenB.waitForMessages(1, 'the first message');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await seenA.waitForError((e) => /publisher/.test(e.message), "a's lost publisher");
    a.publish('public', meta, '"two, from the backlog"');
    await seenB.waitForMessages(2, 'the backlog after the reconnect');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await seenB.waitForError((e) => /subscriber connection/.test(e.message), "b's explained subscriber loss");
    await eventually(
      async () => (await redis.cli('PUBSUB', 'NUMSUB', 'kit-acl:public')).endsWith('\n1'),
      'b back',
    );
    a.publish('public', meta, '"three"');
    await seenB.waitForMessages(3, 'a message after the subscriber came back');
    expect(seenB.messages.map((m) => m.envelope.data)).toEqual(['one', 'two, from the backlog', 'three']);
  });

  it('was never refused a command or a channel by the server (ACL LOG is empty)', async () => {
    expect(await redis.cli('ACL', 'LOG')).toBe('');
  });
});
