import { encodeMeta } from '@clustr/protocol';
import { eventually, startRedisCluster, within } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { clusterSlot } from '../src/cluster-slot.js';
import { createRedisTransport } from '../src/index.js';
import { channelsOn, judge, startStreams } from './cluster-streams.js';
import { record } from './recorder.js';

const self = (workerId: string) => ({ workerId, group: 'streams' });

/** `cmdstat_spublish` calls of a node, from `INFO commandstats`. */
async function spublishCalls(cli: (...args: string[]) => Promise<string>): Promise<number> {
  const match = /cmdstat_spublish:calls=(\d+)/.exec(await cli('INFO', 'commandstats'));
  return Number(match?.[1] ?? 0);
}

describe('redis transport over a Redis Cluster', () => {
  it('spreads private channels over the shards that own them (SPUBLISH per node)', async () => {
    await using cluster = await startRedisCluster({ primaries: 3 });
    const primaries = await cluster.primaries();
    const byNode = await channelsOn(primaries, 'spread', 2);
    const channels = [...byNode.values()].flat();
    const options = { cluster: { rootNodes: [...cluster.rootNodes] }, namespace: 'spread' };
    await using sender = createRedisTransport(options);
    await using receiver = createRedisTransport(options);
    const seen = record(receiver);
    await Promise.all([sender.connect(self('sender')), receiver.connect(self('receiver'))]);
    await Promise.all(channels.map((channel) => receiver.subscribe(channel)));
    const meta = encodeMeta(self('sender'));
    // One message per channel per turn: each is its own payload, so one SPUBLISH each.
    for (let i = 0; i < 100; i++) {
      for (const channel of channels) sender.publish(channel, meta, String(i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await seen.waitForMessages(100 * channels.length, 'every message on every shard');
    for (const [node, list] of byNode) expect(await spublishCalls(node.cli)).toBe(100 * list.length);
    // The subscriptions live on their owners only: two channels each.
    for (const [node, list] of byNode)
      expect((await node.cli('PUBSUB', 'SHARDCHANNELS', 'spread:*')).split('\n').sort()).toEqual(
        list.map((channel) => `spread:${channel}`).sort(),
      );
  });

  it('follows CLUSTER FAILOVER and a SIGKILLed primary: resubscribed on the new owners, nothing twice or out of order', async () => {
    await using cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    const [first, second, third] = await cluster.primaries();
    const byNode = await channelsOn([first!, second!, third!], 'fo', 2);
    const channels = [...byNode.values()].flat();
    const options = {
      cluster: { rootNodes: [...cluster.rootNodes] },
      namespace: 'fo',
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 200,
    };
    await using sender = createRedisTransport(options);
    await using receiver = createRedisTransport(options);
    // What the connections to the killed node report (lost, in flight) is expected; it is recorded.
    const senderReports = record(sender);
    const receiverReports = record(receiver);
    const got: { channel: string; data: unknown }[] = [];
    const fins = new Set<string>();
    let onFin: (() => void) | undefined;
    receiver.onMessage((channel, envelope) => {
      if (envelope.data === 'fin') {
        fins.add(channel);
        if (fins.size === channels.length) onFin?.();
      } else got.push({ channel, data: envelope.data });
    });
    await Promise.all([sender.connect(self('sender')), receiver.connect(self('receiver'))]);
    await Promise.all(channels.map((channel) => receiver.subscribe(channel)));
    const streams = startStreams(sender, channels);

    const [heir] = await cluster.replicasOf(first!);
    const startedFailover = performance.now();
    await cluster.failover(heir!);
    const [killedHeir] = await cluster.replicasOf(second!);
    await cluster.kill(second!);
    const recovered = new Promise<void>((resolve) => {
      onFin = resolve;
    });
    // Once every subscription is on its new owner, a fin per channel ends the streams.
    const newOwners = [heir!, killedHeir!, third!];
    await waitForShardSubscriptions(newOwners, byNode, [first!, second!, third!]);
    streams.stop();
    await within(recovered, 'a fin on every channel after the failovers', 15_000);
    const verdict = judge(got, streams.sent);
    console.log(
      `cluster failover + SIGKILL: ${verdict.delivered} delivered, ${verdict.lost} lost, ${verdict.duplicates} duplicates, ${verdict.reordered} reordered in ${Math.round(performance.now() - startedFailover)} ms`,
    );
    expect(verdict.duplicates).toBe(0);
    expect(verdict.reordered).toBe(0);
    expect(verdict.delivered).toBeGreaterThan(0);
    // Loss is bounded: what was in flight to the killed node and what the shards published
    // while the receiver moved its subscriptions (seconds of a 500 msg/s stream per channel at most).
    expect(verdict.lost).toBeLessThan(verdict.delivered);
    expect([...receiver.stats().channels].sort()).toEqual([...channels].sort());
    const codes = new Set([...senderReports.errors, ...receiverReports.errors].map((error) => error.code));
    expect([...codes]).toEqual(['ERR_CLUSTR_TRANSPORT']);
  });

  it('follows a slot moved to another primary (resharding): resubscribed there, nothing twice or out of order', async () => {
    await using cluster = await startRedisCluster({ primaries: 3 });
    const [from, to] = await cluster.primaries();
    const byNode = await channelsOn([from!], 'rs', 1);
    const [channel] = byNode.get(from!)!;
    const options = { cluster: { rootNodes: [...cluster.rootNodes] }, namespace: 'rs' };
    await using sender = createRedisTransport(options);
    await using receiver = createRedisTransport(options);
    const senderReports = record(sender);
    const got: { channel: string; data: unknown }[] = [];
    let onFin: (() => void) | undefined;
    receiver.onMessage((name, envelope) => {
      if (envelope.data === 'fin') onFin?.();
      else got.push({ channel: name, data: envelope.data });
    });
    await Promise.all([sender.connect(self('sender')), receiver.connect(self('receiver'))]);
    await receiver.subscribe(channel!);
    const streams = startStreams(sender, [channel!]);
    await cluster.moveSlot(clusterSlot(`rs:${channel}`), to!);
    await waitForShardSubscriptions([to!], new Map([[from, [channel!]]]), [from], 'rs');
    expect(await from!.cli('PUBSUB', 'SHARDNUMSUB', `rs:${channel}`)).toBe(`rs:${channel}\n0`);
    const fin = new Promise<void>((resolve) => {
      onFin = resolve;
    });
    streams.stop();
    await within(fin, 'the fin after the slot moved', 10_000);
    const verdict = judge(got, streams.sent);
    console.log(
      `slot moved: ${verdict.delivered} delivered, ${verdict.lost} lost, ${verdict.duplicates} duplicates, ${verdict.reordered} reordered; sender reports: ${senderReports.errors.map((e) => e.message).join(' | ')}`,
    );
    expect(verdict.duplicates).toBe(0);
    expect(verdict.reordered).toBe(0);
    expect(verdict.delivered).toBeGreaterThan(0);
  });
});

/** Waits until each moved channel is subscribed (once) on the node that now owns it. */
async function waitForShardSubscriptions(
  owners: readonly { cli(...args: string[]): Promise<string> }[],
  byNode: ReadonlyMap<unknown, string[]>,
  formerOrder: readonly unknown[],
  namespace = 'fo',
): Promise<void> {
  const expected = formerOrder.map((node) => byNode.get(node)!);
  // SHARDNUMSUB answers `channel, count` pairs: every count must be 1.
  const isSubscribedOnce = (text: string) =>
    text
      .split('\n')
      .filter((_, i) => i % 2 === 1)
      .every((n) => n === '1');
  await eventually(
    async () => {
      const counts = await Promise.all(
        owners.map((owner, i) =>
          owner.cli('PUBSUB', 'SHARDNUMSUB', ...expected[i]!.map((c) => `${namespace}:${c}`)),
        ),
      );
      return counts.every(isSubscribedOnce);
    },
    'the subscriptions on the new owners',
    15_000,
  );
}
