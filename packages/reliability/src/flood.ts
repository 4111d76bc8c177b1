import { setTimeout as delay } from 'node:timers/promises';
import type { WorkerHandle } from '@clustr/core';
import type { SummaryResult } from './commands.js';
import { MASTER_EPOCH } from './master-streams.js';
import type { RelCluster } from './rel-cluster.js';

const PER_TICK = 500;
const TICK_MS = 10;

/** A channel, how many messages, their filler, and one message every `every` steps. */
export type FloodEntry = [channel: string, count: number, pad: string, every?: number];

/**
 * Publishes `count` numbered messages of `stream` to each channel, PER_TICK per channel every
 * TICK_MS (a rate the fast workers can take: this scenario is about the stalled one), then fins.
 */
export async function flood(cluster: RelCluster, stream: string, plan: FloodEntry[], sample: () => void) {
  const most = Math.max(...plan.map(([, count, , every = 1]) => count * every));
  for (let i = 0; i < most; i++) {
    for (const [channel, count, pad, every = 1] of plan) {
      const q = i / every;
      if (Number.isInteger(q) && q < count)
        cluster.master.publish(channel, { s: stream, e: MASTER_EPOCH, q, p: pad });
    }
    if (i % PER_TICK === PER_TICK - 1) {
      sampleTurn(sample);
      await delay(TICK_MS); // the publishing rate, not a synchronisation
    }
  }
  for (const [channel, count] of plan)
    cluster.master.publish(channel, { s: stream, e: MASTER_EPOCH, fin: count });
  sampleTurn(sample);
}

/**
 * Samples now (what the turn's publishes queued) and once more after the transport's end-of-turn
 * send: a transport sends a turn from a microtask queued by its first publish, which runs before
 * this one, so the second sample sees the turn in flight before any reply can have come back.
 */
function sampleTurn(sample: () => void): void {
  sample();
  queueMicrotask(sample);
}

/** Waits for the fast workers' fins of `stream`; their rate since `started` and whether each stream is whole. */
export async function fastRate(
  cluster: RelCluster,
  fast: WorkerHandle[],
  stream: string,
  count: number,
  fins: number,
  started: number,
): Promise<{ rate: number; got: number; detail: string[] }> {
  const summaries = await cluster.commandAll<SummaryResult>(
    fast,
    { cmd: 'summary', fins, timeoutMs: 60_000 },
    70_000,
  );
  const seconds = (performance.now() - started) / 1000;
  const streams = summaries.flatMap((s) => s.streams).filter((s) => s.stream === stream);
  const got = streams.filter(
    (s) => s.fin === count && s.distinct === count && s.reordered === 0 && s.dup === 0,
  );
  const detail = streams.map(
    (s) => `${s.stream}: ${s.distinct}/${count}, fin ${s.fin}, ${s.dup} dup, ${s.reordered} reordered`,
  );
  return { rate: (fast.length * count) / seconds, got: got.length, detail };
}
