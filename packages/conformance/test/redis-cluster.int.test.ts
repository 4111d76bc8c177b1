import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisCluster, startRedisCluster } from '@clustr-internal/test-utils';
import { conformanceSuite } from '../src/index.js';

let redis: RedisCluster | undefined;
let cluster = 0;

// The same suite, unchanged, over a local 3-primary Redis Cluster: sharded pub/sub.
conformanceSuite({
  name: 'redis cluster',
  setup: async () => {
    redis = await startRedisCluster({ primaries: 3 });
    const rootNodes = [...redis.rootNodes];
    return {
      // A namespace per cluster, so no test sees another's traffic on the shared nodes.
      createTransport: () =>
        createRedisTransport({ cluster: { rootNodes }, namespace: `conformance-${++cluster}` }),
      teardown: async () => redis?.stop(),
    };
  },
});
