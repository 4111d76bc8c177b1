// Scenario 4 — Redis faults: CLIENT KILL of every cluster connection every few hundred ms while
// streams flow, then one redis-server restart. The cluster recovers by itself: the recovery
// time and the messages lost in flight are measured and printed (pub/sub may lose what was in
// the air); what was published while disconnected must all arrive.
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisTransport, type RedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { MASTER_EPOCH, MasterStream } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { connectAdmin, killClients, spread } from '../src/redis-faults.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import type { StreamSummary } from '../src/stream-recorder.js';

const WORKERS = 4;
const KILL_ROUNDS = 10;
const FAULT_INTERVAL_MS = 300;
const OFFLINE = 200;
const NS = 'relfault';

async function runRedisFaults(fig: Figure, redis: RedisServer): Promise<void> {
  const transport = createRedisTransport({ url: redis.url, namespace: NS });
  await using cluster = await RelCluster.start(transport);
  const handles = await cluster.spawn('rf', WORKERS);
  await cluster.commandAll(handles, {
    cmd: 'stream',
    stream: 'rf',
    channels: ['master'],
    perTick: 5,
    tickMs: 10,
  });
  const masterStream = new MasterStream(cluster.master, 'rf', 'public');
  masterStream.start(5, 10);
  await cluster.until(
    () => (handles.every((h) => cluster.recorder.countOf(h.workerId, h.pid!) >= 50) ? true : undefined),
    'the streams to flow',
  );

  const recovered = async (t0: number, what: string) => {
    await cluster.probe(handles, what, 'public');
    return performance.now() - t0;
  };
  const admin = await connectAdmin(redis.url);
  const recoveries: number[] = [];
  let killed = 0;
  try {
    for (let round = 1; round <= KILL_ROUNDS; round++) {
      const t0 = performance.now();
      killed += await killClients(admin, `${NS}:`);
      recoveries.push(await recovered(t0, `CLIENT KILL round ${round}`));
      const rest = FAULT_INTERVAL_MS - (performance.now() - t0);
      if (rest > 0) await delay(rest); // the fault rhythm, not a synchronisation
    }
  } finally {
    admin.destroy();
  }

  // The restart: wait until every publisher knows it is disconnected, publish, then bring Redis back.
  const pubDowns = () => ({
    master: cluster.errors.filter((e) => (e.details as { role?: string } | undefined)?.role === 'pub').length,
    workers: handles.map(
      (h) => cluster.workerErrors.filter((e) => e.workerId === h.workerId && e.role === 'pub').length,
    ),
  });
  const before = pubDowns();
  const t0 = performance.now();
  await redis.stop();
  await cluster.until(() => {
    const now = pubDowns();
    return now.master > before.master && now.workers.every((n, i) => n > before.workers[i]!)
      ? true
      : undefined;
  }, 'every publisher to report the lost connection');
  const offlineStream = new MasterStream(cluster.master, 'off', 'public');
  offlineStream.burst(OFFLINE);
  offlineStream.stop();
  await cluster.commandAll(handles, {
    cmd: 'publish-plan',
    stream: 'off',
    plan: [{ channel: 'master', count: OFFLINE }],
    perTurn: 1000,
  });
  await redis.restart();
  const restartMs = await recovered(t0, 'the redis-server restart');

  const sent = await cluster.commandAll<Record<string, number>>(handles, { cmd: 'stop' });
  const masterSent = masterStream.stop();
  const summaries = await cluster.commandAll<SummaryResult>(
    handles,
    { cmd: 'summary', fins: 2, timeoutMs: 8_000 },
    15_000,
  );
  await cluster
    .until(() => (cluster.recorder.fins >= WORKERS * 2 ? true : undefined), 'every fin at the master', 8_000)
    .catch(() => undefined);

  const masterView = cluster.recorder.summary();
  const find = (streams: StreamSummary[], sender: string, stream: string) =>
    streams.find((s) => s.sender === sender && s.stream === stream);
  let streamed = 0;
  let lost = 0;
  let dup = 0;
  let reordered = 0;
  let offlineSent = 0;
  let offlineGot = 0;
  const offlineTo = { master: 0, workers: 0 };
  const offlinePairs: string[] = [];
  const tally = (got: StreamSummary | undefined, count: number, isOffline: boolean, pair = '') => {
    const distinct = Math.min(got?.distinct ?? 0, count);
    dup += got?.dup ?? 0;
    reordered += got?.reordered ?? 0;
    if (isOffline) {
      offlineSent += count;
      const ok = got?.reordered === 0 ? distinct : 0;
      offlinePairs.push(`${pair}: ${ok}/${count}`);
      offlineGot += ok;
      if (pair.endsWith('→master')) offlineTo.master += ok;
      else offlineTo.workers += ok;
    } else {
      streamed += count;
      lost += count - distinct;
    }
  };
  handles.forEach((h, i) => {
    tally(find(masterView, h.workerId, 'rf'), sent[i]!.master ?? 0, false);
    tally(find(masterView, h.workerId, 'off'), OFFLINE, true, `worker ${i + 1}→master`);
    tally(find(summaries[i]!.streams, 'master', 'rf'), masterSent, false);
    tally(find(summaries[i]!.streams, 'master', 'off'), OFFLINE, true, `master→worker ${i + 1}`);
  });
  const stats = (transport as RedisTransport).stats();
  const { p50, max } = spread(recoveries);
  fig.set(
    `${KILL_ROUNDS} CLIENT KILL rounds every ${FAULT_INTERVAL_MS} ms (${killed} connections killed) + 1 redis-server restart, ` +
      `${WORKERS} workers + master; recovery p50 ${p50} ms, max ${max} ms; restart recovery ${Math.round(restartMs)} ms; ` +
      `lost during the faults ${lost}/${streamed} stream msgs (${((100 * lost) / Math.max(1, streamed)).toFixed(2)}%), ${dup} dup, ${reordered} reordered; ` +
      `published while disconnected: ${offlineGot}/${offlineSent} delivered (workers→master ${offlineTo.master}/${WORKERS * OFFLINE}, ` +
      `master→workers ${offlineTo.workers}/${WORKERS * OFFLINE}: ${offlinePairs.join(', ')}); master transport: ${stats.reconnects} reconnects, ${stats.lost} PUBLISH lost in flight`,
    {
      recoveries,
      restartMs,
      killed,
      streamed,
      lost,
      dup,
      reordered,
      offlineSent,
      offlineGot,
      offlineTo,
      offlinePairs,
      stats,
      epoch: MASTER_EPOCH,
    },
  );
  expect(killed).toBeGreaterThanOrEqual(KILL_ROUNDS * 2);
  expect(dup).toBe(0);
  expect(reordered).toBe(0);
  expect(offlineGot).toBe(offlineSent);
}

describe('redis faults', () => {
  const fig = new Figure('redis faults');
  printFigureAfterAll(fig);
  it('recovers from CLIENT KILL and a server restart; loss measured; offline publishes delivered', () =>
    measuring(fig, async () => {
      await using redis = await startRedisServer();
      await runRedisFaults(fig, redis);
    }));
});
