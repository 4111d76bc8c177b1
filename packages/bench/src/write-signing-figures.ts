// `pnpm --filter @clustr-internal/bench figures:signing [results.json]`: rewrites the signing-cost
// section of the transport-redis README (between its markers) from a full bench run's results
// file, so the README never states a figure no run produced. Run the cases first, e.g.
// `pnpm bench -- --only redis.one-way.clustr --only redis.one-way-loop.clustr --only redis.round-trip.clustr`.
import { generatedBy, median, type ResultsFile, writeReadmeSection } from './readme-figures.js';

const README = new URL('../../transport-redis/README.md', import.meta.url);

const rate = (value: number) => `${(value / 1000).toFixed(1)} k msg/s`;
const micros = (value: number) => `${value.toFixed(1)} µs`;
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)} µs`;

function render(results: ResultsFile): string {
  const rows: string[] = [];
  for (const [name, id] of [
    ['one-way, 100 per turn', 'redis.one-way'],
    ['one-way, one loop', 'redis.one-way-loop'],
  ] as const) {
    const plain = median(results, `${id}.clustr`, 'rate');
    const withSecret = median(results, `${id}.clustr-signed`, 'rate');
    // Time per message at the busiest process, signed less unsigned: what signing adds there.
    const cost = 1e6 / withSecret - 1e6 / plain;
    rows.push(
      `| ${name} | ${rate(plain)} | ${rate(withSecret)} | ${(withSecret / plain).toFixed(2)}× | ${signed(cost)} per message |`,
    );
  }
  for (const metric of ['p50', 'p99']) {
    const plain = median(results, 'redis.round-trip.clustr', metric);
    const withSecret = median(results, 'redis.round-trip.clustr-signed', metric);
    rows.push(
      `| round trip ${metric} | ${micros(plain)} | ${micros(withSecret)} | ${(withSecret / plain).toFixed(2)}× | ${signed(withSecret - plain)} per round trip (2 messages, each signed and checked once) |`,
    );
  }
  return [
    generatedBy('figures:signing', results),
    '',
    '| case | unsigned | signed | signed ÷ unsigned | signing cost |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

writeReadmeSection(README, 'signing-figures', render);
