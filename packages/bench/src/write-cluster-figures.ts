// `pnpm --filter @clustr-internal/bench figures:cluster [results.json]`: rewrites the Redis
// Cluster section of the transport-redis README (between its markers) from a full bench run:
// one server next to a local 3-primary cluster, and how private traffic spreads over the shards.
// Run the cases first: `pnpm bench -- --only redis.one-way.clustr --only redis.fan-out.clustr
// --only redis.round-trip.clustr --only clustr-cluster`.
import { generatedBy, median, type ResultsFile, range, writeReadmeSection } from './readme-figures.js';

const README = new URL('../../transport-redis/README.md', import.meta.url);

const rate = (value: number, unit: string) => `${(value / 1000).toFixed(1)} k ${unit}`;
const micros = (value: number) => `${value.toFixed(0)} µs`;

function render(results: ResultsFile): string {
  // Median, then the rounds' min – max: on a shared machine the spread is part of the figure.
  const cell = (id: string, metric: string, show: (value: number) => string) => {
    const { min, max } = range(results, id, metric);
    return `${show(median(results, id, metric))} (${show(min)} – ${show(max)})`;
  };
  const row = (name: string, id: string, metric: string, show: (value: number) => string) => {
    const single = median(results, `${id}.clustr`, metric);
    const sharded = median(results, `${id}.clustr-cluster`, metric);
    return `| ${name} | ${cell(`${id}.clustr`, metric, show)} | ${cell(`${id}.clustr-cluster`, metric, show)} | ${(sharded / single).toFixed(2)}× |`;
  };
  const spread = 'redis.private-spread.clustr-cluster';
  return [
    generatedBy('figures:cluster', results),
    '',
    '| case | one server, median (min – max) | 3-primary cluster, median (min – max) | cluster ÷ one server (medians) |',
    '| --- | --- | --- | --- |',
    row('one-way, master → 1 worker (private)', 'redis.one-way', 'rate', (v) => rate(v, 'msg/s')),
    row('fan-out to 4 (public: one channel, one shard)', 'redis.fan-out', 'rate', (v) =>
      rate(v, 'deliveries/s'),
    ),
    row('round trip p50 (private, both ways)', 'redis.round-trip', 'p50', micros),
    row('round trip p99', 'redis.round-trip', 'p99', micros),
    '',
    `Private streams to 6 workers over the cluster: ${rate(median(results, spread, 'rate'), 'deliveries/s')}; of the`,
    `SPUBLISH commands (\`INFO commandstats\` of each primary), the busiest shard ran`,
    `${median(results, spread, 'busiest').toFixed(0)} % and the quietest ${median(results, spread, 'quietest').toFixed(0)} % (33 % each is an even spread; six`,
    `workers' channels hash to slots as they fall). Public traffic is one channel, so one slot on one`,
    'shard, which carries all of it: the fan-out row is that one shard at work.',
  ].join('\n');
}

writeReadmeSection(README, 'cluster-figures', render);
