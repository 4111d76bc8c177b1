import { type RedisServer, startRedisServer, testTransport } from '@clustr-internal/test-utils';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTransport } from '../src/index.js';

const MAX_BYTES = 64 * 1024;
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

// One namespace: two transports of one test are one cluster; the kit gives every test its own channels.
testTransport(
  'redis',
  () => createRedisTransport({ url: redis.url, namespace: 'kit', maxPayloadBytes: MAX_BYTES }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);
