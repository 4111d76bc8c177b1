import { type Measurement, measurement } from '../measurement.js';
import { roundTrip, throughput } from './clustr-cases.js';

/**
 * clustr on Redis with a `secret`: every payload signed by its sender (one HMAC-SHA256) and
 * checked by every receiver (one more), next to the unsigned clustr rows of the same cases.
 * `pnpm --filter @clustr-internal/bench figures:signing` turns the medians into the signing
 * cost per message that the transport-redis README shows.
 */
export const clustrSignedMeasurements: readonly Measurement[] = [
  measurement({
    id: 'redis.one-way.clustr-signed',
    caseName: 'redis one-way',
    label: 'clustr, signed',
    family: 'clustr',
    metrics: { rate: 'msg/s' },
    needsRedis: true,
    run: (context) => throughput(context, 'redis-signed', 1, context.counts.redisMessages),
  }),
  measurement({
    id: 'redis.one-way-loop.clustr-signed',
    caseName: 'redis one-way, one loop',
    label: 'clustr, signed',
    family: 'clustr',
    metrics: { rate: 'msg/s' },
    needsRedis: true,
    run: (context) =>
      throughput(context, 'redis-signed', 1, context.counts.redisMessages, context.counts.redisMessages),
  }),
  measurement({
    id: 'redis.round-trip.clustr-signed',
    caseName: 'redis round trip',
    label: 'clustr, signed',
    family: 'clustr',
    metrics: { p50: 'µs', p99: 'µs' },
    needsRedis: true,
    run: (context) => roundTrip(context, 'redis-signed'),
  }),
];
