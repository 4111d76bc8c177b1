import type { ChildProcess, Serializable } from 'node:child_process';
import { BackpressuredSender, forkChild, nextMessage, numberField, readyFlag } from '../forked-child.js';
import { childFile } from '../loaders.js';
import { measurement, type RunContext } from '../measurement.js';
import { latencyMetrics } from '../stats.js';

const RAW_CHILD = childFile('raw-ipc-child.mjs');
const META = { group: 'master' };

async function startChildren(context: RunContext, mode: 'sink' | 'echo', n: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: n }, () => forkChild(context, RAW_CHILD, [mode]));
  await Promise.all(
    children.map((child) => nextMessage(context, child, readyFlag, 'the raw child to report ready')),
  );
  return children;
}

function done(context: RunContext, child: ChildProcess): Promise<number> {
  return nextMessage(context, child, (m) => numberField(m, 'done'), 'the receiver to report {done}');
}

/** Sends `count` messages `{meta, data: {i}}` (or batches of `batch`) to every child, backpressure-aware. */
async function blastTo(children: ChildProcess[], count: number, batch: number): Promise<void> {
  const senders = children.map(
    (child) => new BackpressuredSender((message, callback) => child.send(message, callback)),
  );
  const waits: Promise<void>[] = [];
  for (let i = 0; i < count; i += batch) {
    let message: Serializable;
    if (batch === 1) message = { meta: META, data: { i } };
    else {
      const messages = [];
      for (let j = 0; j < batch; j++) messages.push({ meta: META, data: { i: i + j } });
      message = messages;
    }
    for (const sender of senders) {
      const wait = sender.send(message);
      if (wait !== undefined) waits.push(wait);
    }
    if (waits.length > 0) {
      await Promise.all(waits);
      waits.length = 0;
    }
  }
}

async function throughput(context: RunContext, receivers: number, count: number, batch: number) {
  const children = await startChildren(context, 'sink', receivers);
  for (const child of children) child.send({ cmd: 'expect', n: count });
  const finished = Promise.all(children.map((child) => done(context, child)));
  const started = performance.now();
  await blastTo(children, count, batch);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  return { rate: (count * receivers) / seconds };
}

/** A raw throughput baseline: `receivers` children, messages sent one by one or in arrays of `batch`. */
function rawThroughput(id: string, caseName: string, label: string, receivers: 1 | 4, batch: 1 | 100) {
  const isFanOut = receivers > 1;
  return measurement({
    id,
    caseName,
    label,
    family: 'baseline',
    metrics: { rate: isFanOut ? 'deliveries/s' : 'msg/s' },
    needsRedis: false,
    run: (context) =>
      throughput(
        context,
        receivers,
        isFanOut ? context.counts.ipcFanOutMessages : context.counts.ipcMessages,
        batch,
      ),
  });
}

/** Raw `child_process.fork` baselines of the IPC cases. */
export const ipcRawMeasurements = [
  rawThroughput('ipc.one-way.raw-send', 'ipc one-way', 'raw send', 1, 1),
  rawThroughput('ipc.one-way.raw-send-batch100', 'ipc one-way', 'raw send, batches of 100', 1, 100),
  rawThroughput('ipc.fan-out.raw-send', 'ipc fan-out to 4', 'raw send to each', 4, 1),
  rawThroughput(
    'ipc.fan-out.raw-send-batch100',
    'ipc fan-out to 4',
    'raw send to each, batches of 100',
    4,
    100,
  ),
  measurement({
    id: 'ipc.relay.raw-relay',
    caseName: 'ipc worker → worker',
    label: 'raw relay via parent',
    family: 'baseline',
    metrics: { rate: 'msg/s' },
    needsRedis: false,
    async run(context) {
      const [source, sink] = (await startChildren(context, 'sink', 2)) as [ChildProcess, ChildProcess];
      const count = context.counts.ipcMessages;
      // The naive relay a user writes: forward every message as it comes, no flow control.
      source.on('message', (message) => {
        if ((message as { data?: unknown }).data !== undefined) sink.send(message as object);
      });
      sink.send({ cmd: 'expect', n: count });
      const finished = done(context, sink);
      const started = performance.now();
      source.send({ cmd: 'blast', n: count });
      await finished;
      return { rate: count / ((performance.now() - started) / 1000) };
    },
  }),
  measurement({
    id: 'ipc.round-trip.raw-send',
    caseName: 'ipc round trip',
    label: 'raw send ping-pong',
    family: 'baseline',
    metrics: { p50: 'µs', p99: 'µs' },
    needsRedis: false,
    async run(context) {
      const [child] = (await startChildren(context, 'echo', 1)) as [ChildProcess];
      let resolvePong: (() => void) | undefined;
      child.on('message', () => resolvePong?.());
      const total = context.counts.roundTrips;
      const warmUp = context.counts.roundTripWarmUp;
      const samples: number[] = [];
      const pingPong = async () => {
        for (let i = 0; i < warmUp + total; i++) {
          const pong = new Promise<void>((resolve) => {
            resolvePong = resolve;
          });
          const started = process.hrtime.bigint();
          child.send({ meta: META, data: { i } });
          await pong;
          if (i >= warmUp) samples.push(Number(process.hrtime.bigint() - started));
        }
      };
      await context.wait(pingPong(), `${warmUp + total} pongs (got ${samples.length})`);
      return latencyMetrics(samples);
    },
  }),
];
