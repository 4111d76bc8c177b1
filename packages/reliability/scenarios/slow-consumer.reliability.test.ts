// Scenario 6 — slow consumer: one worker stops reading (its event loop stalls) while the master
// floods it. The sender's memory stays under the documented bound, the overflow is reported as
// documented, and the rest of the cluster keeps its throughput.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Transport, WorkerHandle } from '@clustr/core';
import { createIpcTransport, type IpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport, type RedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { retainedHeap } from '../src/heap.js';
import { MASTER_EPOCH } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';

const FAST = 20_000;
const PER_TICK = 500;
const TICK_MS = 10;
const MIB = 1024 * 1024;

/** A channel, how many messages, their filler, and one message every `every` steps. */
type FloodEntry = [channel: string, count: number, pad: string, every?: number];

interface Target {
  name: 'ipc' | 'redis';
  /** Messages and filler bytes sent to the stalled worker. */
  slowCount: number;
  slowPad: number;
  /** One message to the stalled worker every `slowEvery` steps of the flood. */
  slowEvery: number;
  /** The documented bound of what the sender may hold for the slow peer. */
  bound: string;
  /** What the sender holds for the slow worker right now (bytes or messages). */
  held(cluster: RelCluster, slow: WorkerHandle): number;
  /** Frames the sender itself dropped for the slow worker. */
  dropped(cluster: RelCluster, slow: WorkerHandle): number;
  /** The overflow report, as documented; undefined until it came. */
  report(cluster: RelCluster, slow: WorkerHandle): string | undefined;
  limit: number;
  /** Most heap the sender may retain while the worker is stalled. */
  heapLimit: number;
}

/**
 * Publishes `count` numbered messages of `stream` to each channel, PER_TICK per channel every
 * TICK_MS (a rate the fast workers can take: this scenario is about the stalled one), then fins.
 */
async function flood(cluster: RelCluster, stream: string, plan: FloodEntry[], sample: () => void) {
  const most = Math.max(...plan.map(([, count, , every = 1]) => count * every));
  for (let i = 0; i < most; i++) {
    for (const [channel, count, pad, every = 1] of plan) {
      const q = i / every;
      if (Number.isInteger(q) && q < count)
        cluster.master.publish(channel, { s: stream, e: MASTER_EPOCH, q, p: pad });
    }
    if (i % PER_TICK === PER_TICK - 1) {
      sample();
      await delay(TICK_MS); // the publishing rate, not a synchronisation
    }
  }
  for (const [channel, count] of plan)
    cluster.master.publish(channel, { s: stream, e: MASTER_EPOCH, fin: count });
  sample();
}

async function fastRate(
  cluster: RelCluster,
  fast: WorkerHandle[],
  stream: string,
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
    (s) => s.fin === FAST && s.distinct === FAST && s.reordered === 0 && s.dup === 0,
  );
  const detail = streams.map(
    (s) => `${s.stream}: ${s.distinct}/${FAST}, fin ${s.fin}, ${s.dup} dup, ${s.reordered} reordered`,
  );
  return { rate: (fast.length * FAST) / seconds, got: got.length, detail };
}

async function runSlowConsumer(fig: Figure, transport: Transport, target: Target): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const [slow, ...fast] = (await cluster.spawn('sc', 3)) as [WorkerHandle, WorkerHandle, WorkerHandle];
  const pad = 'f'.repeat(100);
  const workDir = mkdtempSync(join(tmpdir(), 'clustr-slow-'));
  const release = join(workDir, 'release');
  try {
    // Baseline: the two fast workers alone.
    let started = performance.now();
    await flood(
      cluster,
      'base',
      fast.map((h): FloodEntry => [h.workerId, FAST, pad]),
      () => {},
    );
    const base = await fastRate(cluster, fast, 'base', 1, started);

    // The slow worker stalls; the master floods it and the fast ones.
    await cluster.command(slow, { cmd: 'stall', releaseFile: release, maxMs: 60_000 });
    const heapBefore = retainedHeap();
    let peakHeld = 0;
    const sample = () => {
      peakHeld = Math.max(peakHeld, target.held(cluster, slow));
    };
    const slowPad = 's'.repeat(target.slowPad);
    started = performance.now();
    await flood(
      cluster,
      'flood',
      [
        ...fast.map((h): FloodEntry => [h.workerId, FAST, pad]),
        [slow.workerId, target.slowCount, slowPad, target.slowEvery],
      ],
      sample,
    );
    const during = await fastRate(cluster, fast, 'flood', 2, started);
    // Everything the sender still holds for the stalled worker, after a full GC.
    const heldHeap = retainedHeap() - heapBefore;
    // IPC: the sender reports the overflow itself. Redis: the stalled worker does, once it runs again.
    if (target.name === 'ipc')
      await cluster.until(() => target.report(cluster, slow), 'the ERR_CLUSTR_QUEUE_FULL report');

    // Release it: it catches up with what was kept for it, and is reachable again.
    writeFileSync(release, '');
    if (target.name === 'redis') {
      await cluster.until(
        () => target.report(cluster, slow),
        'the slow worker’s report of its dropped connection',
        30_000,
      );
    }
    await cluster.probe([slow], 'the slow worker was released', undefined, 30_000);
    const [slowSummary] = await cluster.commandAll<SummaryResult>([slow], {
      cmd: 'summary',
      fins: 0,
      timeoutMs: 1_000,
    });
    const flooded = slowSummary!.streams.find((s) => s.stream === 'flood');
    const received = flooded?.distinct ?? 0;
    const ratio = during.rate / base.rate;
    const report = target.report(cluster, slow);
    const dropped = target.dropped(cluster, slow);
    fig.set(
      `sender holds at most ${target.name === 'ipc' ? `${(peakHeld / MIB).toFixed(2)} MiB` : `${peakHeld} msgs`} for the stalled worker ` +
        `(bound ${target.bound}), heap +${(heldHeap / MIB).toFixed(1)} MiB after GC while flooding it with ${target.slowCount} × ${target.slowPad} B; ` +
        `stalled worker got ${received}/${target.slowCount} in order (${flooded?.dup ?? 0} dup, ${flooded?.reordered ?? 0} reordered), ` +
        `${dropped} dropped by the sender; overflow report: ${report === undefined ? 'NONE' : `"${report.slice(0, 90)}…"`}; ` +
        `fast workers ${Math.round(during.rate)} msgs/s vs ${Math.round(base.rate)} alone (${(ratio * 100).toFixed(0)}%), ` +
        `${during.got + base.got}/4 streams complete`,
      { peakHeld, heldHeap, received, dropped, report, base, during, ratio },
    );
    expect(
      [...base.detail, ...during.detail].filter(
        (d) => !d.includes(`${FAST}/${FAST}, fin ${FAST}, 0 dup, 0 reordered`),
      ),
    ).toEqual([]);
    expect(base.got + during.got).toBe(4);
    expect(peakHeld).toBeLessThanOrEqual(target.limit);
    expect(heldHeap).toBeLessThan(target.heapLimit);
    expect(report).toBeDefined();
    expect(report).not.toMatch(/^\d+ reports/); // one report per overflow episode
    expect(received).toBeLessThan(target.slowCount);
    expect(flooded?.dup ?? 0).toBe(0);
    expect(flooded?.reordered ?? 0).toBe(0);
    expect(ratio).toBeGreaterThan(0.5);
  } finally {
    writeFileSync(release, '');
    rmSync(workDir, { recursive: true, force: true });
  }
}

describe('slow consumer', () => {
  describe('ipc', () => {
    const fig = new Figure('slow consumer ipc');
    printFigureAfterAll(fig);
    const maxQueueBytes = MIB;
    it('bounded sender queue, one ERR_CLUSTR_QUEUE_FULL per episode, fast workers keep their throughput', () =>
      measuring(fig, () =>
        runSlowConsumer(fig, createIpcTransport({ maxQueueBytes }), {
          name: 'ipc',
          slowCount: 20_000,
          slowPad: 200,
          slowEvery: 1,
          bound: 'maxQueueBytes 1 MiB',
          limit: maxQueueBytes,
          // The queued frames (≤ 1 MiB of text) plus their bookkeeping.
          heapLimit: 4 * maxQueueBytes + 16 * MIB,
          held: (c, s) => (c.transport as IpcTransport).stats().children[s.workerId]?.queuedBytes ?? 0,
          dropped: (c, s) => (c.transport as IpcTransport).stats().children[s.workerId]?.dropped ?? 0,
          report: (c) => {
            const full = c.errors.filter((e) => e.code === 'ERR_CLUSTR_QUEUE_FULL');
            if (full.length === 0) return undefined;
            return full.length === 1
              ? `${full[0]!.code}: ${full[0]!.message}`
              : `${full.length} reports: ${full.map((e) => e.message).join(' | ')}`;
          },
        }),
      ));
  });

  describe('redis', () => {
    const fig = new Figure('slow consumer redis');
    printFigureAfterAll(fig);
    it('redis drops the slow subscriber at its output buffer limit; the worker reports it; the sender stays small', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer({
          args: ['--client-output-buffer-limit', 'pubsub 1mb 256kb 10'],
        });
        const transport = createRedisTransport({ url: redis.url, namespace: 'relslow' });
        await runSlowConsumer(fig, transport, {
          name: 'redis',
          // 8 MB: more than the kernel's socket buffers plus the 1 MB limit.
          slowCount: 8_000,
          slowPad: 1_000,
          slowEvery: 2,
          bound: 'maxQueuedMessages 10000; server: client-output-buffer-limit pubsub 1mb',
          limit: 10_000,
          // Connected, the publisher holds nothing: the server buffers (up to its limit).
          heapLimit: 16 * MIB,
          held: (c) => (c.transport as RedisTransport).stats().queued,
          dropped: (c) => (c.transport as RedisTransport).stats().dropped,
          report: (c, s) => {
            const lost = c.workerErrors.find(
              (e) => e.workerId === s.workerId && e.code === 'ERR_CLUSTR_TRANSPORT' && e.reason !== undefined,
            );
            return lost === undefined ? undefined : `${lost.code} (${lost.reason}): ${lost.message}`;
          },
        });
      }));
  });
});
