import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceBroker } from 'moleculer';
import { forkChild, nextMessage, numberField, readyFlag } from '../forked-child.js';
import { inSequence, keepInFlight } from '../in-flight.js';
import { childFile } from '../loaders.js';
import { measurement, type RunContext } from '../measurement.js';
import { windowed } from '../raw-redis-client.js';

const CHILD = childFile('moleculer-child.mjs');

/** A sending broker in this process and `nodes` receiving brokers (one per child), all discovered. */
async function startCluster(
  context: RunContext,
  nodes: number,
): Promise<{ broker: ServiceBroker; children: ChildProcess[] }> {
  const broker = new ServiceBroker({
    namespace: context.namespace,
    nodeID: `bench-sender-${process.pid}`,
    transporter: context.redisUrl,
    logger: false,
  });
  context.defer(() => broker.stop());
  await context.wait(broker.start(), 'the Moleculer sender broker to start');
  const children = Array.from({ length: nodes }, (_, k) =>
    forkChild(context, CHILD, [context.redisUrl, context.namespace, `bench-node-${k}`]),
  );
  await Promise.all(
    children.map((child) => nextMessage(context, child, readyFlag, 'the Moleculer node to start')),
  );
  // Discovery is gossip (INFO packets): ask the registry until every node's service is known.
  const discovered = async () => {
    while (
      broker.registry
        .getServiceList({ onlyAvailable: true, skipInternal: true })
        .filter((s) => s.name === 'bench').length < nodes
    ) {
      await sleep(10);
    }
  };
  await context.wait(discovered(), `the sender to discover ${nodes} Moleculer node(s)`);
  return { broker, children };
}

async function throughput(
  context: RunContext,
  nodes: number,
  count: number,
  send: (broker: ServiceBroker, i: number) => Promise<unknown>,
) {
  const { broker, children } = await startCluster(context, nodes);
  for (const child of children) child.send({ cmd: 'expect', n: count });
  const finished = Promise.all(
    children.map((child) =>
      nextMessage(context, child, (m) => numberField(m, 'done'), 'the Moleculer node to report {done}'),
    ),
  );
  const started = performance.now();
  await windowed(count, context.counts.window, (i) => send(broker, i));
  await finished;
  return { rate: (count * nodes) / ((performance.now() - started) / 1000) };
}

/** Moleculer 0.14 with its Redis transporter (ioredis underneath), one broker per process. */
export const moleculerMeasurements = [
  measurement({
    id: 'redis.one-way.moleculer-emit',
    caseName: 'redis one-way',
    label: 'moleculer emit',
    family: 'baseline',
    metrics: { rate: 'msg/s' },
    needsRedis: true,
    run: (context) =>
      throughput(context, 1, context.counts.redisMessages, (broker, i) => broker.emit('bench.msg', { i })),
  }),
  measurement({
    id: 'redis.fan-out.moleculer-broadcast',
    caseName: 'redis fan-out to 4',
    label: 'moleculer broadcast',
    family: 'baseline',
    metrics: { rate: 'deliveries/s' },
    needsRedis: true,
    run: (context) =>
      throughput(context, 4, context.counts.redisFanOutMessages, (broker, i) =>
        broker.broadcast('bench.msg', { i }),
      ),
  }),
  measurement({
    id: 'redis.round-trip.moleculer-call',
    caseName: 'redis round trip',
    label: 'moleculer call',
    family: 'baseline',
    metrics: { p50: 'µs', p99: 'µs' },
    needsRedis: true,
    async run(context) {
      const { broker } = await startCluster(context, 1);
      const { roundTrips, roundTripWarmUp } = context.counts;
      return context.wait(
        inSequence(roundTrips, roundTripWarmUp, (i) => broker.call('bench.echo', { i })),
        `${roundTripWarmUp + roundTrips} Moleculer calls`,
      );
    },
  }),
  measurement({
    id: 'redis.requests-100.moleculer-call',
    caseName: 'redis requests, 100 in flight',
    label: 'moleculer call',
    family: 'baseline',
    metrics: { rate: 'req/s', p50: 'µs', p99: 'µs' },
    needsRedis: true,
    async run(context) {
      const { broker } = await startCluster(context, 1);
      const { requests, window } = context.counts;
      return context.wait(
        keepInFlight(requests, window, Math.ceil(requests / 10), (i) => broker.call('bench.echo', { i })),
        `${requests} Moleculer calls, ${window} in flight`,
      );
    },
  }),
];
