// Scenario — Redis Cluster failover: 4 workers and the master exchange sequenced streams over a
// 3-primary cluster with a replica each (sharded pub/sub), while the suite fails over one primary
// gracefully (CLUSTER FAILOVER on its replica) and SIGKILLs another. The transport follows the
// new slot owners by itself: the recovery time is measured, nothing may arrive twice or out of
// order, and the loss must stay within what the streams published while a fault lasted.
import { createRedisTransport, type RedisTransport } from '@clustr/transport-redis';
import { type RedisCluster, startRedisCluster } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { MASTER_EPOCH, MasterStream } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { checkStreams, type Expectation } from '../src/stream-check.js';
import type { StreamSummary } from '../src/stream-recorder.js';

const WORKERS = 4;
const NS = 'relcluster';
/** Every stream's pace: PER_TICK messages every TICK_MS (500 msgs/s). */
const PER_TICK = 5;
const TICK_MS = 10;

async function runClusterFailover(fig: Figure, redis: RedisCluster): Promise<void> {
  const transport = createRedisTransport({ cluster: { rootNodes: [...redis.rootNodes] }, namespace: NS });
  await using cluster = await RelCluster.start(transport);
  const handles = await cluster.spawn('rc', WORKERS);
  // Each worker streams to the master and to the next worker: private channels on several shards.
  await Promise.all(
    handles.map((handle, i) =>
      cluster.command(handle, {
        cmd: 'stream',
        stream: 'rc',
        channels: ['master', handles[(i + 1) % WORKERS]!.workerId],
        perTick: PER_TICK,
        tickMs: TICK_MS,
      }),
    ),
  );
  const masterStream = new MasterStream(cluster.master, 'rc', 'public');
  masterStream.start(PER_TICK, TICK_MS);
  await cluster.until(
    () => (handles.every((h) => cluster.recorder.countOf(h.workerId, h.pid!) >= 50) ? true : undefined),
    'the streams to flow',
  );

  // Recovered once every worker answered a probe on its private channel and one on public.
  const recovered = async (t0: number, what: string) => {
    await cluster.probe(handles, what);
    await cluster.probe(handles, what, 'public');
    return Math.round(performance.now() - t0);
  };
  const [first, second] = await redis.primaries();
  const [replica] = await redis.replicasOf(first!);
  // Each recovery counts from the fault; the part the cluster itself took (until every node
  // agrees on the new primary) is printed beside it: the transport can follow no sooner.
  let t0 = performance.now();
  await redis.failover(replica!);
  const failoverSettledMs = Math.round(performance.now() - t0);
  const failoverMs = await recovered(t0, `CLUSTER FAILOVER on ${replica!.port}`);
  t0 = performance.now();
  await redis.kill(second!);
  const killSettledMs = Math.round(performance.now() - t0);
  const killMs = await recovered(t0, `SIGKILL of primary ${second!.port}`);

  const sent = await cluster.commandAll<Record<string, number>>(handles, { cmd: 'stop' });
  const masterSent = masterStream.stop();
  const summaries = await cluster.commandAll<SummaryResult>(
    handles,
    { cmd: 'summary', fins: 2, timeoutMs: 8_000 },
    15_000,
  );
  const received = new Map<string, StreamSummary[]>([
    ['master', cluster.recorder.summary()],
    ...handles.map((h, i): [string, StreamSummary[]] => [h.workerId, summaries[i]!.streams]),
  ]);
  const streams: Expectation[] = [];
  handles.forEach((h, i) => {
    const next = handles[(i + 1) % WORKERS]!;
    const common = {
      sender: h.workerId,
      kind: 'private',
      epoch: h.pid,
      stream: 'rc',
      isLossy: true,
    } as const;
    streams.push({ ...common, receiver: 'master', count: sent[i]!.master ?? 0 });
    streams.push({ ...common, receiver: next.workerId, count: sent[i]![next.workerId] ?? 0 });
    streams.push({
      receiver: h.workerId,
      sender: 'master',
      kind: 'public',
      epoch: MASTER_EPOCH,
      stream: 'rc',
      count: masterSent,
      isLossy: true,
    });
  });
  const result = checkStreams(received, streams);
  // A fault can cost a stream at most what it published while the fault lasted (from the fault
  // until the probes came back), plus one tick: the subscriptions are down only in that window.
  const perFault = (ms: number) => PER_TICK * (Math.ceil(ms / TICK_MS) + 1);
  const bound = streams.length * (perFault(failoverMs) + perFault(killMs));
  const stats = (transport as RedisTransport).stats();
  const { missing: lost, expected: streamed } = result;
  fig.set(
    `3 primaries + 3 replicas, ${WORKERS} workers + master, ${streams.length} streams at ${(PER_TICK * 1000) / TICK_MS} msgs/s; ` +
      `recovery after CLUSTER FAILOVER ${failoverMs} ms (the cluster's own switch ${failoverSettledMs} ms), ` +
      `after SIGKILL of a primary ${killMs} ms (the replica's promotion ${killSettledMs} ms, cluster-node-timeout 1000 ms); ` +
      `lost ${lost}/${streamed} stream msgs (${((100 * lost) / Math.max(1, streamed)).toFixed(2)}%; bound ${bound}: ${streams.length} streams × what each published during the two recoveries), ` +
      `${result.dup} dup, ${result.reordered} reordered, ${streams.length - result.badFins}/${streams.length} fins; ` +
      `master transport: ${stats.reconnects} reconnects, ${stats.lost} SPUBLISH lost in flight, ${stats.dropped} dropped`,
    { failoverMs, failoverSettledMs, killMs, killSettledMs, result, bound, stats },
  );
  expect(result.problems, 'streams across the failovers: order, uniqueness and every fin').toEqual([]);
  expect(lost, 'loss within what the streams published while the faults lasted').toBeLessThanOrEqual(bound);
}

describe('redis cluster failover', () => {
  const fig = new Figure('redis cluster failover');
  printFigureAfterAll(fig);
  it('follows CLUSTER FAILOVER and a SIGKILLed primary: 0 duplicates, 0 reordered, loss bounded, every fin', () =>
    measuring(fig, async () => {
      await using redis = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
      await runClusterFailover(fig, redis);
    }));
});
