import type { SpawnedWorker } from '../clustr-api.js';
import { doneCount, publishMany, startClustr, type TransportKind } from '../clustr-session.js';
import { type Measurement, measurement, type RunContext } from '../measurement.js';
import { latencyMetrics } from '../stats.js';

/** Accepts the `n`-th `{done}` report. */
function nthDone(n: number): (data: unknown) => boolean {
  let seen = 0;
  return (data) => doneCount(data) !== undefined && ++seen === n;
}

/** The master publishes `count` messages to `channel` (a worker's id, or `public` for all); receivers count. */
export async function throughput(
  context: RunContext,
  kind: TransportKind,
  receivers: number,
  count: number,
  perTurn = context.counts.window,
) {
  const session = await startClustr(context, kind, receivers);
  const channel = receivers === 1 ? (session.workers[0]?.workerId as string) : 'public';
  for (const worker of session.workers) session.master.publish(worker.workerId, { cmd: 'expect', n: count });
  const finished = session.until(nthDone(receivers), `${receivers} worker(s) to report {done}`);
  const started = performance.now();
  await publishMany(session.master, channel, count, perTurn);
  await finished;
  return { rate: (count * receivers) / ((performance.now() - started) / 1000) };
}

async function relay(context: RunContext, kind: TransportKind) {
  const session = await startClustr(context, kind, 2);
  const [source, sink] = session.workers as [SpawnedWorker, SpawnedWorker];
  const count = context.counts.ipcMessages;
  session.master.publish(sink.workerId, { cmd: 'expect', n: count });
  const finished = session.until(nthDone(1), 'the receiving worker to report {done}');
  const started = performance.now();
  session.master.publish(source.workerId, {
    cmd: 'blast',
    to: sink.workerId,
    n: count,
    w: context.counts.window,
  });
  await finished;
  return { rate: count / ((performance.now() - started) / 1000) };
}

/** The master pings one worker on its private channel and waits for the echo; p50/p99 after a warm-up. */
export async function roundTrip(context: RunContext, kind: TransportKind) {
  const session = await startClustr(context, kind, 1);
  const target = session.workers[0]?.workerId as string;
  let resolvePong: (() => void) | undefined;
  session.master.onPrivate(() => resolvePong?.());
  const total = context.counts.roundTrips;
  const warmUp = context.counts.roundTripWarmUp;
  const samples: number[] = [];
  const pingPong = async () => {
    for (let i = 0; i < warmUp + total; i++) {
      const pong = new Promise<void>((resolve) => {
        resolvePong = resolve;
      });
      const started = process.hrtime.bigint();
      session.master.publish(target, { ping: i });
      await pong;
      if (i >= warmUp) samples.push(Number(process.hrtime.bigint() - started));
    }
  };
  await context.wait(pingPong(), `${warmUp + total} clustr pongs`);
  return latencyMetrics(samples);
}

function clustrMeasurements(kind: TransportKind): Measurement[] {
  const messages = (context: RunContext) =>
    kind === 'ipc' ? context.counts.ipcMessages : context.counts.redisMessages;
  const fanOut = (context: RunContext) =>
    kind === 'ipc' ? context.counts.ipcFanOutMessages : context.counts.redisFanOutMessages;
  const list = [
    measurement({
      id: `${kind}.one-way.clustr`,
      caseName: `${kind} one-way`,
      label: 'clustr',
      family: 'clustr',
      metrics: { rate: 'msg/s' },
      needsRedis: kind === 'redis',
      run: (context) => throughput(context, kind, 1, messages(context)),
    }),
    measurement({
      id: `${kind}.fan-out.clustr`,
      caseName: `${kind} fan-out to 4`,
      label: 'clustr',
      family: 'clustr',
      metrics: { rate: 'deliveries/s' },
      needsRedis: kind === 'redis',
      run: (context) => throughput(context, kind, 4, fanOut(context)),
    }),
    measurement({
      id: `${kind}.round-trip.clustr`,
      caseName: `${kind} round trip`,
      label: 'clustr',
      family: 'clustr',
      metrics: { p50: 'µs', p99: 'µs' },
      needsRedis: kind === 'redis',
      run: (context) => roundTrip(context, kind),
    }),
  ];
  if (kind === 'redis') {
    list.push(
      measurement({
        id: 'redis.one-way-loop.clustr',
        caseName: 'redis one-way, one loop',
        label: 'clustr',
        family: 'clustr',
        metrics: { rate: 'msg/s' },
        needsRedis: true,
        // Every message published in one synchronous loop, as a user's `for` loop would.
        run: (context) => throughput(context, kind, 1, messages(context), messages(context)),
      }),
    );
  }
  if (kind === 'ipc') {
    list.push(
      measurement({
        id: 'ipc.relay.clustr',
        caseName: 'ipc worker → worker',
        label: 'clustr',
        family: 'clustr',
        metrics: { rate: 'msg/s' },
        needsRedis: false,
        run: (context) => relay(context, 'ipc'),
      }),
    );
  }
  return list;
}

/** clustr's side of every message case, on IPC and on Redis. */
export const clustrMessageMeasurements: readonly Measurement[] = [
  ...clustrMeasurements('ipc'),
  ...clustrMeasurements('redis'),
];
