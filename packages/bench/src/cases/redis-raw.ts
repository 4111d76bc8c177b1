import type { ChildProcess } from 'node:child_process';
import { forkChild, nextMessage, numberField, readyFlag } from '../forked-child.js';
import { childFile } from '../loaders.js';
import { type Measurement, measurement, type RunContext } from '../measurement.js';
import { openRawConnection, type RawClientKind, windowed } from '../raw-redis-client.js';
import { latencyMetrics } from '../stats.js';

const CHILD = childFile('redis-raw-child.mjs');
const META = { group: 'master' };

async function startChildren(context: RunContext, args: string[], n: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: n }, () => forkChild(context, CHILD, args));
  await Promise.all(
    children.map((child) => nextMessage(context, child, readyFlag, 'the Redis child to subscribe')),
  );
  return children;
}

/** PUBLISH `count` envelopes (JSON-encoded per message, as a user would) to `receivers` subscriber processes. */
async function throughput(
  context: RunContext,
  kind: RawClientKind,
  receivers: number,
  count: number,
  window = context.counts.window,
) {
  const channel = `${context.namespace}:sink`;
  const children = await startChildren(context, [kind, 'sink', context.redisUrl, channel], receivers);
  const publisher = await openRawConnection(context, kind);
  for (const child of children) child.send({ cmd: 'expect', n: count });
  const finished = Promise.all(
    children.map((child) =>
      nextMessage(context, child, (m) => numberField(m, 'done'), 'the subscriber to report {done}'),
    ),
  );
  const started = performance.now();
  await windowed(count, window, (i) =>
    publisher.publish(channel, JSON.stringify({ meta: META, data: { i } })),
  );
  await finished;
  return { rate: (count * receivers) / ((performance.now() - started) / 1000) };
}

const ignore = () => {};

async function roundTrip(context: RunContext, kind: RawClientKind) {
  const [ping, pong] = [`${context.namespace}:ping`, `${context.namespace}:pong`];
  await startChildren(context, [kind, 'echo', context.redisUrl, ping, pong], 1);
  const publisher = await openRawConnection(context, kind);
  const subscriber = await openRawConnection(context, kind);
  let resolvePong: (() => void) | undefined;
  await subscriber.subscribe(pong, () => resolvePong?.());
  const total = context.counts.roundTrips;
  const warmUp = context.counts.roundTripWarmUp;
  const samples: number[] = [];
  const pingPong = async () => {
    for (let i = 0; i < warmUp + total; i++) {
      const answered = new Promise<void>((resolve) => {
        resolvePong = resolve;
      });
      const started = process.hrtime.bigint();
      publisher.publish(ping, JSON.stringify({ meta: META, data: { i } })).catch(ignore);
      await answered;
      if (i >= warmUp) samples.push(Number(process.hrtime.bigint() - started));
    }
  };
  await context.wait(pingPong(), `${warmUp + total} pongs through Redis`);
  return latencyMetrics(samples);
}

function rawMeasurements(kind: RawClientKind, label: string): Measurement[] {
  return [
    measurement({
      id: `redis.one-way.${kind}`,
      caseName: 'redis one-way',
      label: `raw ${label}, windowed`,
      family: 'baseline',
      metrics: { rate: 'msg/s' },
      needsRedis: true,
      run: (context) => throughput(context, kind, 1, context.counts.redisMessages),
    }),
    measurement({
      id: `redis.round-trip.${kind}`,
      caseName: 'redis round trip',
      label: `raw ${label} ping-pong`,
      family: 'baseline',
      metrics: { p50: 'µs', p99: 'µs' },
      needsRedis: true,
      run: (context) => roundTrip(context, kind),
    }),
  ];
}

/** Raw `@redis/client` and `ioredis` baselines of the Redis cases. */
export const redisRawMeasurements: readonly Measurement[] = [
  ...rawMeasurements('redis-client', '@redis/client'),
  ...rawMeasurements('ioredis', 'ioredis'),
  measurement({
    id: 'redis.one-way-loop.redis-client',
    caseName: 'redis one-way, one loop',
    label: 'raw @redis/client loop',
    family: 'baseline',
    metrics: { rate: 'msg/s' },
    needsRedis: true,
    // Every PUBLISH issued in one synchronous loop, then awaited: the loop a user writes.
    run: (context) =>
      throughput(context, 'redis-client', 1, context.counts.redisMessages, context.counts.redisMessages),
  }),
  measurement({
    id: 'redis.fan-out.redis-client',
    caseName: 'redis fan-out to 4',
    label: 'raw @redis/client, windowed',
    family: 'baseline',
    metrics: { rate: 'deliveries/s' },
    needsRedis: true,
    run: (context) => throughput(context, 'redis-client', 4, context.counts.redisFanOutMessages),
  }),
];
