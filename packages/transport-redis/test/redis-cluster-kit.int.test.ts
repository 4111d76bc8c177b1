import { type RedisCluster, startRedisCluster, testTransport } from '@clustr-internal/test-utils';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTransport } from '../src/index.js';

const MAX_BYTES = 64 * 1024;
const SECRET = 'the-kit-secret-0123456789abcdefghij';
let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

// The transport's contract over a Redis Cluster (sharded pub/sub), plain and signed.
testTransport(
  'redis cluster',
  () =>
    createRedisTransport({
      cluster: { rootNodes: [...cluster.rootNodes] },
      namespace: 'kit',
      maxPayloadBytes: MAX_BYTES,
    }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);

testTransport(
  'redis cluster, signed',
  () =>
    createRedisTransport({
      cluster: { rootNodes: [...cluster.rootNodes] },
      namespace: 'kit-signed',
      maxPayloadBytes: MAX_BYTES,
      secret: SECRET,
    }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);
