import type { SpawnedWorker } from '../clustr-api.js';
import { doneCount, publishMany, startClustr, type TransportKind } from '../clustr-session.js';
import { inSequence, keepInFlight } from '../in-flight.js';
import { type Measurement, measurement, type RunContext } from '../measurement.js';

/** Requests one at a time from the master to a worker's `echo`: what one request costs. */
async function requestRoundTrip(context: RunContext, kind: TransportKind) {
  const session = await startClustr(context, kind, 1);
  const target = session.workers[0]?.workerId as string;
  const { roundTrips, roundTripWarmUp } = context.counts;
  return context.wait(
    inSequence(roundTrips, roundTripWarmUp, (i) => session.master.request(target, 'echo', { ping: i })),
    `${roundTripWarmUp + roundTrips} clustr requests`,
  );
}

/** Requests to a worker's `echo` with `window` in flight: throughput and latency under load. */
async function requestsInFlight(context: RunContext, kind: TransportKind) {
  const session = await startClustr(context, kind, 1);
  const target = (session.workers[0] as SpawnedWorker).workerId;
  const { requests, window } = context.counts;
  return context.wait(
    keepInFlight(requests, window, Math.ceil(requests / 10), (i) =>
      session.master.request(target, 'echo', { i }),
    ),
    `${requests} clustr requests, ${window} in flight`,
  );
}

/** The master publishes to a group of one worker, `deliver` 'one' or 'all'; the worker counts. */
async function groupThroughput(context: RunContext, kind: TransportKind, deliver: 'one' | 'all') {
  const session = await startClustr(context, kind, 1);
  const count = kind === 'ipc' ? context.counts.ipcMessages : context.counts.redisMessages;
  const worker = session.workers[0] as SpawnedWorker;
  session.master.publish(worker.workerId, { cmd: 'expect', n: count });
  const finished = session.until((data) => doneCount(data) !== undefined, 'the worker to report {done}');
  const started = performance.now();
  await publishMany(session.master, 'bench', count, context.counts.window, { deliver });
  await finished;
  return { rate: count / ((performance.now() - started) / 1000) };
}

function requestMeasurements(kind: TransportKind): Measurement[] {
  const needsRedis = kind === 'redis';
  const list = [
    measurement({
      id: `${kind}.round-trip.clustr-request`,
      caseName: `${kind} round trip`,
      label: 'clustr request',
      family: 'clustr',
      metrics: { p50: 'µs', p99: 'µs' },
      needsRedis,
      run: (context) => requestRoundTrip(context, kind),
    }),
    measurement({
      id: `${kind}.deliver-one.clustr-one`,
      caseName: `${kind} group of one`,
      label: "clustr deliver 'one'",
      family: 'clustr',
      metrics: { rate: 'msg/s' },
      needsRedis,
      run: (context) => groupThroughput(context, kind, 'one'),
    }),
    measurement({
      id: `${kind}.deliver-one.clustr-all`,
      caseName: `${kind} group of one`,
      label: "clustr deliver 'all'",
      family: 'baseline',
      metrics: { rate: 'msg/s' },
      needsRedis,
      run: (context) => groupThroughput(context, kind, 'all'),
    }),
  ];
  if (kind === 'redis') {
    list.push(
      measurement({
        id: 'redis.requests-100.clustr',
        caseName: 'redis requests, 100 in flight',
        label: 'clustr request',
        family: 'clustr',
        metrics: { rate: 'req/s', p50: 'µs', p99: 'µs' },
        needsRedis: true,
        run: (context) => requestsInFlight(context, 'redis'),
      }),
    );
  }
  return list;
}

/** clustr's request/reply and deliver: 'one', on IPC and on Redis. */
export const requestMeasurementsAll: readonly Measurement[] = [
  ...requestMeasurements('ipc'),
  ...requestMeasurements('redis'),
];
