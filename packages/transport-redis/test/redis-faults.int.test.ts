import { encodeMeta } from '@clustr/protocol';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';
import { clientIds, eventually } from './eventually.js';
import { record } from './recorder.js';

const meta = encodeMeta({ workerId: 'w1', group: 'web' });

describe('redis transport faults', () => {
  it('recovers from CLIENT KILL of both connections: one subscription per channel, nothing twice', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'ck',
      reconnectInitialDelayMs: 20,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await Promise.all([
      transport.subscribe('public'),
      transport.subscribe('public'),
      transport.subscribe('web'),
    ]);
    const ids = clientIds(await redis.cli('CLIENT', 'LIST'), 'ck:web:w1:');
    expect(ids).toHaveLength(2);
    for (const id of ids) await redis.cli('CLIENT', 'KILL', 'ID', id);
    await recorder.waitForError((e) => /subscriber/.test(e.message), 'the report of the lost subscriber');
    await eventually(() => transport.stats().reconnects >= 2, 'both connections to reconnect');
    expect(await redis.cli('PUBSUB', 'NUMSUB', 'ck:public', 'ck:web')).toBe('ck:public\n1\nck:web\n1');
    for (let i = 0; i < 3; i++) transport.publish('public', meta, String(i));
    transport.publish('web', meta, '"sentinel"');
    await recorder.waitForMessages(4, 'three messages and the sentinel after the reconnect');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([0, 1, 2, 'sentinel']);
    expect(transport.stats().channels).toEqual(['public', 'web']);
  });

  it('holds what it publishes while only its subscriber is down, and delivers it after', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'sd',
      reconnectInitialDelayMs: 50,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await recorder.waitForError((e) => /subscriber connection/.test(e.message), 'the subscriber loss report');
    for (let i = 0; i < 3; i++) transport.publish('public', meta, String(i));
    await recorder.waitForMessages(3, 'the held messages after the subscriber is back');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual([0, 1, 2]);
  });

  it('keeps per-sender order with no duplicates when its connections are killed mid-stream', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'mid',
      reconnectInitialDelayMs: 10,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    for (let i = 0; i < 3000; i++) transport.publish('public', meta, String(i));
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    for (let i = 3000; i < 6000; i++) transport.publish('public', meta, String(i));
    await eventually(() => transport.stats().reconnects >= 2, 'both connections to reconnect');
    transport.publish('public', meta, '"sentinel"');
    await eventually(() => recorder.messages.at(-1)?.envelope.data === 'sentinel', 'the sentinel');
    const numbers = recorder.messages.slice(0, -1).map((m) => m.envelope.data as number);
    const outOfOrder = numbers.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] as number));
    expect(outOfOrder).toBe(-1);
    // At-most-once: what was in flight on a killed socket may be lost, never reordered or repeated.
    expect(numbers.length).toBeGreaterThan(0);
  });

  it('survives a redis-server restart and delivers what was published while down, in order, bounded', async () => {
    await using redis = await startRedisServer();
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'rs',
      maxQueuedMessages: 5,
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 200,
    });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await Promise.all([transport.subscribe('public'), transport.subscribe('gone')]);
    transport.publish('public', meta, '"before"');
    await recorder.waitForMessages(1, 'the message before the restart');
    await redis.stop();
    await recorder.waitForError((e) => /publisher lost/.test(e.message), 'the report of the lost publisher');
    const late = transport.subscribe('late');
    await transport.unsubscribe('gone');
    for (let i = 0; i < 7; i++) transport.publish('public', meta, String(i));
    expect(recorder.errors.filter((e) => e.code === 'ERR_CLUSTR_QUEUE_FULL')).toHaveLength(1);
    expect(transport.stats()).toMatchObject({ queued: 5, dropped: 2 });
    await redis.restart();
    await recorder.waitForMessages(6, 'the five queued messages after the restart');
    transport.publish('public', meta, '"after"');
    await recorder.waitForMessages(7, 'a message published after the reconnect');
    expect(recorder.messages.map((m) => m.envelope.data)).toEqual(['before', 0, 1, 2, 3, 4, 'after']);
    await late;
    expect(await redis.cli('PUBSUB', 'NUMSUB', 'rs:public', 'rs:late', 'rs:gone')).toBe(
      'rs:public\n1\nrs:late\n1\nrs:gone\n0',
    );
  });

  it('holds a backlog after a restart until its receivers in other processes have resubscribed', async () => {
    await using redis = await startRedisServer();
    const options = { url: redis.url, namespace: 'late-rx', reconnectMaxDelayMs: 2_000 };
    // The sender reconnects fast; the receiver only after ~800 ms, as a busier process might.
    await using sender = createRedisTransport({ ...options, reconnectInitialDelayMs: 20 });
    await using receiver = createRedisTransport({ ...options, reconnectInitialDelayMs: 800 });
    const senderLog = record(sender);
    const received = record(receiver);
    await sender.connect({ workerId: 's', group: 'web' });
    await receiver.connect({ workerId: 'r', group: 'web' });
    await receiver.subscribe('r');
    sender.publish('r', meta, '"before"');
    await received.waitForMessages(1, 'the message before the restart');
    await redis.stop();
    await senderLog.waitForError((e) => /publisher lost/.test(e.message), 'the sender noticing the outage');
    for (let i = 0; i < 50; i++) sender.publish('r', meta, String(i));
    await redis.restart();
    await received.waitForMessages(51, 'the 50 messages published while Redis was down');
    expect(received.messages.map((m) => m.envelope.data)).toEqual(['before', ...Array(50).keys()]);
  });

  it('reports a subscriber dropped for client-output-buffer-limit pubsub and recovers', async () => {
    await using redis = await startRedisServer({
      args: ['--client-output-buffer-limit', 'pubsub 64kb 32kb 1'],
    });
    await using transport = createRedisTransport({
      url: redis.url,
      namespace: 'slow',
      reconnectInitialDelayMs: 20,
    });
    const recorder = record(transport);
    await transport.connect({ group: 'master' });
    await transport.subscribe('public');
    const burst = "for i=1,300 do redis.call('PUBLISH', KEYS[1], string.rep('x', 10000)) end";
    await redis.cli('EVAL', burst, '1', 'slow:public');
    const error = await recorder.waitForError(
      (e) => /client-output-buffer-limit pubsub/.test(e.message),
      'the slow consumer report',
    );
    expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
    await eventually(() => transport.stats().reconnects >= 1, 'the subscriber to reconnect');
    transport.publish('public', meta, '"alive"');
    await eventually(
      () => recorder.messages.some((m) => m.envelope.data === 'alive'),
      'a message after recovery',
    );
  });
});
