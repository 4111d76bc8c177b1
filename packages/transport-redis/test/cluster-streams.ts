import { encodeMeta, type Transport } from '@clustr/protocol';
import type { RedisClusterNode } from '@clustr-internal/test-utils';
import { clusterSlot } from '../src/cluster-slot.js';

const meta = encodeMeta({ workerId: 'sender', group: 'streams' });

/** `perNode` channel names (under `namespace`) on each of `primaries`, found by their slots. */
export async function channelsOn(
  primaries: readonly RedisClusterNode[],
  namespace: string,
  perNode: number,
): Promise<Map<RedisClusterNode, string[]>> {
  const ranges = new Map<RedisClusterNode, [number, number][]>();
  for (const node of primaries) {
    const text = await node.cli('CLUSTER', 'NODES');
    const line = text.split('\n').find((entry) => entry.includes('myself'))!;
    ranges.set(
      node,
      line
        .split(' ')
        .slice(8)
        .map((range) => range.split('-').map(Number) as [number, number]),
    );
  }
  const picked = new Map<RedisClusterNode, string[]>(primaries.map((node) => [node, []]));
  for (let i = 0; [...picked.values()].some((list) => list.length < perNode); i++) {
    const channel = `s${i}`;
    const slot = clusterSlot(`${namespace}:${channel}`);
    for (const [node, list] of picked) {
      const owns = ranges.get(node)!.some(([start, end = start]) => slot >= start && slot <= end);
      if (owns && list.length < perNode) list.push(channel);
    }
  }
  return picked;
}

/** A sender publishing `{ seq }` on every channel at a steady pace until stopped. */
export function startStreams(sender: Transport, channels: readonly string[], everyMs = 2) {
  const sent = new Map<string, number>(channels.map((channel) => [channel, 0]));
  const timer = setInterval(() => {
    for (const channel of channels) {
      const seq = sent.get(channel)!;
      sender.publish(channel, meta, `{"seq":${seq}}`);
      sent.set(channel, seq + 1);
    }
  }, everyMs);
  return {
    sent,
    /** Stops the streams and sends one `fin` per channel. */
    stop() {
      clearInterval(timer);
      for (const channel of channels) sender.publish(channel, meta, '"fin"');
    },
  };
}

/** Per channel: how many arrived, how many twice, how many out of order, how many never. */
export function judge(
  received: readonly { channel: string; data: unknown }[],
  sent: ReadonlyMap<string, number>,
): { delivered: number; duplicates: number; reordered: number; lost: number } {
  let delivered = 0;
  let duplicates = 0;
  let reordered = 0;
  let lost = 0;
  for (const [channel, count] of sent) {
    const seqs = received
      .filter((message) => message.channel === channel && typeof message.data === 'object')
      .map((message) => (message.data as { seq: number }).seq);
    const seen = new Set<number>();
    let last = -1;
    for (const seq of seqs) {
      if (seen.has(seq)) duplicates++;
      else if (seq < last) reordered++;
      seen.add(seq);
      last = Math.max(last, seq);
    }
    delivered += seen.size;
    lost += count - seen.size;
  }
  return { delivered, duplicates, reordered, lost };
}
