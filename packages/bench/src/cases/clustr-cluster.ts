import type { RedisCluster } from '@clustr-internal/test-utils';
import { clusterOf, doneCount, publishMany, startClustr } from '../clustr-session.js';
import { type Measurement, measurement, type RunContext } from '../measurement.js';
import { roundTrip, throughput } from './clustr-cases.js';

/** Workers of the spread case: private channels enough to land on every shard of 3. */
const SPREAD_WORKERS = 6;

/** `cmdstat_spublish` calls of every node of the run's cluster, from `INFO commandstats`. */
async function spublishPerNode(cluster: RedisCluster): Promise<number[]> {
  const nodes = await cluster.primaries();
  return Promise.all(
    nodes.map(async (node) => {
      const match = /cmdstat_spublish:calls=(\d+)/.exec(await node.cli('INFO', 'commandstats'));
      return Number(match?.[1] ?? 0);
    }),
  );
}

/**
 * The master sends each of 6 workers its own stream on its private channel, over a 3-primary
 * cluster; besides the rate, the share of the SPUBLISH commands of the busiest and the quietest
 * shard (`INFO commandstats` before and after): 33 % each is a perfect spread, 100 % one shard.
 */
async function privateSpread(context: RunContext) {
  const session = await startClustr(context, 'redis-cluster', SPREAD_WORKERS);
  const cluster = clusterOf(context)!;
  const count = Math.max(1, Math.floor(context.counts.redisMessages / SPREAD_WORKERS));
  for (const worker of session.workers) session.master.publish(worker.workerId, { cmd: 'expect', n: count });
  let done = 0;
  const finished = session.until(
    (data) => doneCount(data) !== undefined && ++done === SPREAD_WORKERS,
    `${SPREAD_WORKERS} workers to report {done}`,
  );
  const before = await spublishPerNode(cluster);
  const started = performance.now();
  await Promise.all(
    session.workers.map((worker) =>
      publishMany(session.master, worker.workerId as string, count, context.counts.window),
    ),
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const after = await spublishPerNode(cluster);
  const perShard = after.map((calls, i) => calls - before[i]!);
  const total = perShard.reduce((sum, calls) => sum + calls, 0);
  return {
    rate: (count * SPREAD_WORKERS) / seconds,
    busiest: (100 * Math.max(...perShard)) / total,
    quietest: (100 * Math.min(...perShard)) / total,
  };
}

/**
 * clustr over a local 3-primary Redis Cluster (sharded pub/sub), next to the single-node rows of
 * the same cases; `pnpm --filter @clustr-internal/bench figures:cluster` writes the
 * transport-redis README's cluster figures from them. Each run starts its own cluster (~2 s).
 */
export const clustrClusterMeasurements: readonly Measurement[] = [
  measurement({
    id: 'redis.one-way.clustr-cluster',
    caseName: 'redis one-way',
    label: 'clustr, 3-primary cluster',
    family: 'clustr',
    metrics: { rate: 'msg/s' },
    needsRedis: false,
    run: (context) => throughput(context, 'redis-cluster', 1, context.counts.redisMessages),
  }),
  measurement({
    id: 'redis.fan-out.clustr-cluster',
    caseName: 'redis fan-out to 4',
    label: 'clustr, 3-primary cluster',
    family: 'clustr',
    metrics: { rate: 'deliveries/s' },
    needsRedis: false,
    run: (context) => throughput(context, 'redis-cluster', 4, context.counts.redisFanOutMessages),
  }),
  measurement({
    id: 'redis.round-trip.clustr-cluster',
    caseName: 'redis round trip',
    label: 'clustr, 3-primary cluster',
    family: 'clustr',
    metrics: { p50: 'µs', p99: 'µs' },
    needsRedis: false,
    run: (context) => roundTrip(context, 'redis-cluster'),
  }),
  measurement({
    id: 'redis.private-spread.clustr-cluster',
    caseName: 'redis cluster, private to 6 workers',
    label: 'clustr, 3-primary cluster',
    family: 'clustr',
    metrics: { rate: 'deliveries/s', busiest: '%', quietest: '%' },
    needsRedis: false,
    run: privateSpread,
  }),
];
