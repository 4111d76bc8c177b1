// Scenario 6 — slow consumer: one worker stops reading (its event loop stalls) while the master
// floods it. The sender's memory stays under the documented bound, the overflow is reported as
// documented, and the rest of the cluster keeps its throughput.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transport, WorkerHandle } from '@clustr/core';
import { createIpcTransport, type IpcTransport } from '@clustr/transport-ipc';
import {
  createRedisTransport,
  DEFAULT_MAX_IN_FLIGHT_MESSAGES,
  DEFAULT_MAX_QUEUED_MESSAGES,
  type RedisTransport,
} from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { type FloodEntry, fastRate, flood } from '../src/flood.js';
import { retainedHeap } from '../src/heap.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';

const FAST = 20_000;
const MIB = 1024 * 1024;

/** Something the sender may hold for the stalled worker, sampled during the flood, and its bound. */
interface Holding {
  what: string;
  unit: 'bytes' | 'msgs';
  /** The documented bound and the option that sets it. */
  bound: number;
  boundName: string;
  /** Whether the flood must make the sender hold some (the sampler sees it) or none at all. */
  expect: 'some' | 'none';
  read(cluster: RelCluster, slow: WorkerHandle): number;
}

/** An overflow report about the stalled worker, from whichever process made it. */
interface OverflowReport {
  code: string;
  message: string;
  reason?: string;
}

interface Target {
  name: 'ipc' | 'redis';
  /** Messages and filler bytes sent to the stalled worker. */
  slowCount: number;
  slowPad: number;
  /** One message to the stalled worker every `slowEvery` steps of the flood. */
  slowEvery: number;
  holdings: Holding[];
  /** Frames the sender itself dropped for the slow worker. */
  dropped(cluster: RelCluster, slow: WorkerHandle): number;
  /** IPC: the sender drops past its bound. Redis: never, the server drops the subscriber instead. */
  senderDrops: boolean;
  /** Every overflow report so far (one per episode is documented). */
  reports(cluster: RelCluster, slow: WorkerHandle): OverflowReport[];
  /** Checks the report against what happened; returns a note for the figure and the problems. */
  diagnose(report: OverflowReport, slow: WorkerHandle): Promise<{ note: string; problems: string[] }>;
  /** Most heap the sender may retain while the worker is stalled. */
  heapLimit: number;
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
    const base = await fastRate(cluster, fast, 'base', FAST, 1, started);

    // The slow worker stalls; the master floods it and the fast ones.
    await cluster.command(slow, { cmd: 'stall', releaseFile: release, maxMs: 60_000 });
    const heapBefore = retainedHeap();
    const peaks = target.holdings.map(() => 0);
    const sample = () => {
      target.holdings.forEach((h, i) => {
        peaks[i] = Math.max(peaks[i]!, h.read(cluster, slow));
      });
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
    const during = await fastRate(cluster, fast, 'flood', FAST, 2, started);
    // Everything the sender still holds for the stalled worker, after a full GC.
    const heldHeap = retainedHeap() - heapBefore;
    const reports = () => target.reports(cluster, slow);
    const firstReport = () => reports()[0];
    // IPC: the sender reports the overflow itself. Redis: the stalled worker does, once it runs again.
    if (target.name === 'ipc') await cluster.until(firstReport, 'the ERR_CLUSTR_QUEUE_FULL report');

    // Release it: it catches up with what was kept for it, and is reachable again.
    writeFileSync(release, '');
    if (target.name === 'redis') {
      await cluster.until(firstReport, 'the slow worker’s report of its dropped connection', 30_000);
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
    const all = reports();
    const report = all[0];
    const diagnosis =
      report === undefined ? { note: 'none', problems: ['no report'] } : await target.diagnose(report, slow);
    const dropped = target.dropped(cluster, slow);
    const held = target.holdings
      .map(
        (h, i) =>
          `${h.unit === 'bytes' ? `${(peaks[i]! / MIB).toFixed(2)} MiB` : `${peaks[i]} msgs`} ${h.what} (bound ${h.boundName})`,
      )
      .join(', ');
    fig.set(
      `flooding the stalled worker with ${target.slowCount} × ${target.slowPad} B, the sender held at most ${held}, heap +${(heldHeap / MIB).toFixed(1)} MiB after GC; ` +
        `stalled worker got ${received}/${target.slowCount} in order (${flooded?.dup ?? 0} dup, ${flooded?.reordered ?? 0} reordered), ` +
        `${dropped} dropped by the sender; ${all.length} overflow report(s): ${report === undefined ? 'NONE' : `"${report.code}${report.reason === undefined ? '' : ` (${report.reason})`}: ${report.message.slice(0, 90)}…"`}, ${diagnosis.note}; ` +
        `fast workers ${Math.round(during.rate)} msgs/s vs ${Math.round(base.rate)} alone (${(ratio * 100).toFixed(0)}%), ` +
        `${during.got + base.got}/4 streams complete`,
      { peaks, heldHeap, received, dropped, reports: all, diagnosis, base, during, ratio },
    );
    expect(
      [...base.detail, ...during.detail].filter(
        (d) => !d.includes(`${FAST}/${FAST}, fin ${FAST}, 0 dup, 0 reordered`),
      ),
    ).toEqual([]);
    expect(base.got + during.got).toBe(4);
    target.holdings.forEach((h, i) => {
      expect(peaks[i], `${h.what}: at most ${h.boundName}`).toBeLessThanOrEqual(h.bound);
      if (h.expect === 'none')
        expect(peaks[i], `${h.what}: the sender must hold none for a slow peer`).toBe(0);
      else expect(peaks[i], `${h.what}: the sampler must see what the flood put there`).toBeGreaterThan(0);
    });
    expect(heldHeap).toBeLessThan(target.heapLimit);
    expect(all.length, 'one overflow report per episode').toBe(1);
    expect(diagnosis.problems).toEqual([]);
    if (target.senderDrops) expect(dropped).toBeGreaterThan(0);
    else expect(dropped, 'the sender must drop nothing: the server drops the slow subscriber').toBe(0);
    expect(received).toBeLessThan(target.slowCount);
    expect(flooded?.dup ?? 0).toBe(0);
    expect(flooded?.reordered ?? 0).toBe(0);
    expect(ratio).toBeGreaterThan(0.5);
  } finally {
    writeFileSync(release, '');
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The wording the Redis transport uses for a subscriber dropped at its output buffer limit. */
const LIMIT_NAME = 'client-output-buffer-limit pubsub';
/** The server's own word for it, in its log (every version): the independent confirmation. */
const SERVER_DROP_LOG =
  /Client (.*) (?:scheduled to be )?closed (?:ASAP )?for overcoming of output buffer limits/;

/**
 * Checks the slow worker's report against the server: its log must show the drop of that
 * worker's subscriber connection at its output buffer limit, and the report must name that
 * cause — confirmed (`client-output-buffer-limit`) where the server counts such drops (Redis
 * ≥ 7.2), as the likely cause (`slow-consumer-suspected`) where it does not.
 */
async function diagnoseRedis(
  redis: RedisServer,
  logFile: string,
  namespace: string,
  report: OverflowReport,
  slow: WorkerHandle,
): Promise<{ note: string; problems: string[] }> {
  const canConfirm = /client_output_buffer_limit_disconnections:/.test(await redis.cli('INFO', 'stats'));
  const wanted = canConfirm ? 'client-output-buffer-limit' : 'slow-consumer-suspected';
  const subscriber = `name=${namespace}:sc:${slow.workerId}:sub `;
  const drops = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => SERVER_DROP_LOG.exec(line)?.[1]?.includes(subscriber));
  const problems: string[] = [];
  if (drops.length !== 1)
    problems.push(`the server log shows ${drops.length} output-buffer drops of ${subscriber.trim()}, not 1`);
  if (report.code !== 'ERR_CLUSTR_TRANSPORT') problems.push(`code ${report.code}, not ERR_CLUSTR_TRANSPORT`);
  if (report.reason !== wanted)
    problems.push(`reason ${report.reason}, not ${wanted} (Redis ${canConfirm ? '≥' : '<'} 7.2)`);
  if (!report.message.includes(LIMIT_NAME) || !report.message.includes('slow consumer'))
    problems.push(`the message does not name "${LIMIT_NAME}" and a slow consumer: ${report.message}`);
  return {
    note: `expected reason ${wanted} (Redis ${canConfirm ? '≥' : '<'} 7.2); server log: ${drops.length} drop(s) of its subscriber at its output buffer limit`,
    problems,
  };
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
          holdings: [
            {
              what: 'queued for it',
              unit: 'bytes',
              bound: maxQueueBytes,
              boundName: 'maxQueueBytes 1 MiB',
              expect: 'some',
              read: (c, s) => (c.transport as IpcTransport).stats().children[s.workerId]?.queuedBytes ?? 0,
            },
          ],
          // The queued frames (≤ 1 MiB of text) plus their bookkeeping.
          heapLimit: 4 * maxQueueBytes + 16 * MIB,
          dropped: (c, s) => (c.transport as IpcTransport).stats().children[s.workerId]?.dropped ?? 0,
          senderDrops: true,
          reports: (c) => c.errors.filter((e) => e.code === 'ERR_CLUSTR_QUEUE_FULL'),
          diagnose: async (report, slow) => ({
            note: 'names the stalled worker',
            problems: report.message.includes(slow.workerId)
              ? []
              : [`does not name ${slow.workerId}: ${report.message}`],
          }),
        }),
      ));
  });

  describe('redis', () => {
    const fig = new Figure('slow consumer redis');
    printFigureAfterAll(fig);
    it('redis drops the slow subscriber at its output buffer limit; the worker reports it; the sender stays small', () =>
      measuring(fig, async () => {
        const logDir = mkdtempSync(join(tmpdir(), 'clustr-slow-redis-'));
        const logFile = join(logDir, 'redis.log');
        try {
          await using redis = await startRedisServer({
            args: ['--client-output-buffer-limit', 'pubsub 1mb 256kb 10', '--logfile', logFile],
          });
          const namespace = 'relslow';
          const maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
          const maxInFlightMessages = DEFAULT_MAX_IN_FLIGHT_MESSAGES;
          const transport = createRedisTransport({
            url: redis.url,
            namespace,
            maxQueuedMessages,
            maxInFlightMessages,
          });
          const stats = (c: RelCluster) => (c.transport as RedisTransport).stats();
          await runSlowConsumer(fig, transport, {
            name: 'redis',
            // 8 MB: more than the kernel's socket buffers plus the 1 MB limit.
            slowCount: 8_000,
            slowPad: 1_000,
            slowEvery: 2,
            holdings: [
              // Connected, the publisher queues nothing: the server buffers (up to its limit).
              {
                what: 'queued',
                unit: 'msgs',
                bound: maxQueuedMessages,
                boundName: `maxQueuedMessages ${maxQueuedMessages}`,
                expect: 'none',
                read: (c) => stats(c).queued,
              },
              {
                what: 'in flight, all channels',
                unit: 'msgs',
                bound: maxInFlightMessages,
                boundName: `maxInFlightMessages ${maxInFlightMessages}; server: client-output-buffer-limit pubsub 1mb`,
                expect: 'some',
                read: (c) => stats(c).inFlight,
              },
            ],
            heapLimit: 16 * MIB,
            dropped: (c) => stats(c).dropped,
            senderDrops: false,
            reports: (c, s) =>
              c.workerErrors.filter(
                (e) =>
                  e.workerId === s.workerId && e.code === 'ERR_CLUSTR_TRANSPORT' && e.reason !== undefined,
              ),
            diagnose: (report, slow) => diagnoseRedis(redis, logFile, namespace, report, slow),
          });
        } finally {
          rmSync(logDir, { recursive: true, force: true });
        }
      }));
  });
});
