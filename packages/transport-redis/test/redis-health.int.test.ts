// The health check against a server that falls silent: a proxy stops passing bytes (no FIN, no
// RST), as a network partition does. The same with a real link taken down, between a network
// namespace and the host, is the reliability suite's `redis partition` scenario.
import type { ClustrError } from '@clustr/protocol';
import { encodeMeta } from '@clustr/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisTransport, type RedisTransportOptions } from '../src/index.js';
import { type BlackholeProxy, startBlackholeProxy } from './blackhole-proxy.js';
import { clientIds, eventually } from './eventually.js';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const redis = redisForFile();
const meta = encodeMeta({ workerId: 'w1', group: 'web' });
// Short, with room for a loaded machine: a PING deadline shorter than the scheduling delays of a
// busy 2-core box finds a starved server "unreachable" as surely as a cut one.
const FAST: RedisTransportOptions = {
  healthCheckIntervalMs: 100,
  healthCheckTimeoutMs: 1000,
  connectTimeoutMs: 1500,
  reconnectInitialDelayMs: 20,
  reconnectMaxDelayMs: 200,
};
const reason = (error: ClustrError) => (error.details as { reason?: string } | undefined)?.reason;
const role = (error: ClustrError) => (error.details as { role?: string } | undefined)?.role;

const proxies: BlackholeProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

/** A transport connected through a proxy that can fall silent, subscribed to `public`. */
async function behindProxy(namespace: string) {
  const proxy = await startBlackholeProxy(redis.server.port);
  proxies.push(proxy);
  const transport = redis.track(createRedisTransport({ url: proxy.url, namespace, ...FAST }));
  const recorder = record(transport);
  await transport.connect({ workerId: 'w1', group: 'web' });
  await transport.subscribe('public');
  return { proxy, transport, recorder };
}

describe('redis health check', () => {
  it('finds a silent partition on both connections, reports each once, and recovers after it', async () => {
    const { proxy, transport, recorder } = await behindProxy('hc');
    transport.publish('public', meta, '"before"');
    await recorder.waitForMessages(1, 'a message before the partition');

    const cutAt = performance.now();
    proxy.cut();
    transport.publish('public', meta, '"in the air"');
    const unreachable = (r: string) => (e: ClustrError) =>
      reason(e) === 'server-unreachable' && role(e) === r;
    const [pub, sub] = await Promise.all([
      recorder.waitForError(unreachable('pub'), 'the publisher to find the server unreachable'),
      recorder.waitForError(unreachable('sub'), 'the subscriber to find the server unreachable'),
    ]);
    // Within one interval plus the deadline (and slack for a loaded machine).
    expect(performance.now() - cutAt).toBeLessThan(100 + 1000 + 1000);
    for (const error of [pub, sub]) {
      expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
      expect(error.message).toMatch(
        /no answer to PING within 1000 ms .*unreachable \(a network partition\?\)/,
      );
    }
    // What this process publishes while cut off is queued, not written into the void.
    for (let i = 0; i < 3; i++) transport.publish('public', meta, String(i));
    expect(transport.stats().queued).toBe(3);
    // The partition outlasts a connect timeout: reconnect attempts into it fail quietly, still one
    // report per connection.
    await new Promise<void>((resolve) => setTimeout(resolve, FAST.connectTimeoutMs! + 500));
    expect(recorder.errors.filter((e) => reason(e) === 'server-unreachable')).toHaveLength(2);
    expect(recorder.errors.some((e) => /slow consumer|client-output-buffer-limit/.test(e.message))).toBe(
      false,
    );

    proxy.heal();
    await recorder.waitForMessages(4, 'the queued messages after the heal');
    expect(recorder.messages.slice(1).map((m) => m.envelope.data)).toEqual([0, 1, 2]);
    // The message in the air when the link went down is reported lost, never silently.
    expect(transport.stats().lost).toBe(1);
    expect(recorder.errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /PUBLISH commands in flight were lost .*\(the server was unreachable; at-most-once/,
      ),
    );
    transport.publish('public', meta, '"after"');
    await recorder.waitForMessages(5, 'a message published after the heal');
  });

  it('PINGs a subscribed connection (RESP2 pub/sub mode) and stays quiet while the server answers', async () => {
    await redis.server.cli('CONFIG', 'RESETSTAT');
    const transport = redis.transport('hq', { healthCheckIntervalMs: 50, healthCheckTimeoutMs: 2000 });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    const pings = async () =>
      Number(/cmdstat_ping:calls=(\d+)/.exec(await redis.server.cli('INFO', 'commandstats'))?.[1] ?? 0);
    await eventually(async () => (await pings()) >= 20, 'twenty PINGs from the two connections');
    expect(recorder.errors).toEqual([]);
    expect(transport.stats().reconnects).toBe(0);
  });

  it('reads an answer that waited in the socket while this process was blocked past the deadline', async () => {
    const transport = redis.transport('hb', FAST);
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    // The server holds the next PINGs (well under the deadline) while this process is blocked
    // longer than the deadline: their answers arrive while nobody reads them.
    await redis.server.cli('CLIENT', 'PAUSE', '600', 'ALL');
    await new Promise<void>((resolve) => setTimeout(resolve, 250));
    const until = Date.now() + 2 * FAST.healthCheckTimeoutMs!;
    while (Date.now() < until) {
      // A synchronous stretch: a CPU-bound handler.
    }
    transport.publish('public', meta, '"after the block"');
    await recorder.waitForMessages(1, 'a message after the block');
    expect(recorder.errors).toEqual([]);
    expect(transport.stats().reconnects).toBe(0);
  });

  it('takes NOPERM as an answer: a user without +ping is not cut off', async () => {
    await redis.server.cli('ACL', 'SETUSER', 'noping', 'on', '>pw', '~*', '&*', '+@all', '-ping');
    await redis.server.cli('CONFIG', 'RESETSTAT');
    const port = redis.server.port;
    const transport = redis.track(
      createRedisTransport({ url: `redis://noping:pw@127.0.0.1:${port}`, namespace: 'hn', ...FAST }),
    );
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    const refused = async () =>
      Number(
        /cmdstat_ping:.*rejected_calls=(\d+)/.exec(await redis.server.cli('INFO', 'commandstats'))?.[1] ?? 0,
      );
    await eventually(async () => (await refused()) >= 20, 'twenty refused PINGs');
    expect(recorder.errors).toEqual([]);
    expect(transport.stats().reconnects).toBe(0);
  });

  it('does not blame a slow consumer for a subscriber the server drops after the publisher found it unreachable', async () => {
    const { proxy, transport, recorder } = await behindProxy('hp');
    // Only the publisher's link is cut: its health check sees the server unreachable first.
    proxy.cut(/hp:web:w1:pub/);
    await recorder.waitForError(
      (e) => reason(e) === 'server-unreachable',
      'the publisher to find the server unreachable',
    );
    proxy.heal();
    await eventually(() => transport.stats().reconnects >= 1, 'the publisher to reconnect');
    // Then the server drops the subscriber (as one does after a partition: output buffer full).
    const [id] = clientIds(await redis.server.cli('CLIENT', 'LIST', 'TYPE', 'pubsub'), 'hp:web:w1:sub');
    await redis.server.cli('CLIENT', 'KILL', 'ID', id!);
    const dropped = await recorder.waitForError((e) => role(e) === 'sub', 'the subscriber loss report');
    expect(reason(dropped)).toBe('after-partition');
    expect(dropped.message).toMatch(
      /after the server was unreachable from this process .*not a slow consumer/,
    );
  });

  it('treats a server that stalls past the deadline as unreachable, and reconnects once it answers', async () => {
    const transport = redis.transport('hs', { ...FAST, connectTimeoutMs: 5000 });
    const recorder = record(transport);
    await transport.connect({ workerId: 'w1', group: 'web' });
    await transport.subscribe('public');
    await redis.server.cli('CLIENT', 'PAUSE', '2500', 'ALL');
    await recorder.waitForError(
      (e) => reason(e) === 'server-unreachable',
      'the stalled server to be reported',
    );
    await eventually(() => transport.stats().reconnects >= 2, 'both connections back after the pause');
    transport.publish('public', meta, '"after"');
    await recorder.waitForMessages(1, 'a message after the pause');
  });
});
