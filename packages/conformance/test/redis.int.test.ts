import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { conformanceSuite } from '../src/index.js';

let redis: RedisServer | undefined;
let cluster = 0;

conformanceSuite({
  name: 'redis',
  setup: async () => {
    redis = await startRedisServer();
    const { url } = redis;
    return {
      // A namespace per cluster, so no test sees another's traffic on the shared server.
      createTransport: () => createRedisTransport({ url, namespace: `conformance-${++cluster}` }),
      teardown: async () => redis?.stop(),
    };
  },
});
