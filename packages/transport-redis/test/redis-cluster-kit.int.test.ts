import { type RedisCluster, startRedisCluster, testTransport } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';

const MAX_BYTES = 64 * 1024;
const SECRET = 'the-kit-secret-0123456789abcdefghij';
/**
 * The README's least-privilege user for a cluster, namespace `kit-acl`: the same `&` channel
 * pattern as on one server (it covers shard channels too), and the sharded commands.
 */
const ACL_RULES = [
  'on',
  '>kit-password',
  'resetchannels',
  '&kit-acl:*',
  'resetkeys',
  '-@all',
  '+spublish',
  '+ssubscribe',
  '+sunsubscribe',
  '+pubsub|shardnumsub',
  '+cluster|slots',
  '+ping',
  '+info',
  '+client|setname',
];
let cluster: RedisCluster;
let aclRootNodes: string[];

beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3 });
  // ACL users are per node: a cluster's user is set on every node.
  for (const node of cluster.nodes) await node.cli('ACL', 'SETUSER', 'clustr-kit', ...ACL_RULES);
  aclRootNodes = cluster.nodes.map((node) => `redis://clustr-kit:kit-password@127.0.0.1:${node.port}`);
});
afterAll(async () => {
  await cluster?.stop();
});

// The transport's contract over a Redis Cluster (sharded pub/sub), signed, as the least-privilege
// user: one run (~20 s); the conformance suite runs unsigned over a cluster in packages/conformance.
testTransport(
  'redis cluster, signed, least-privilege ACL user',
  () =>
    createRedisTransport({
      cluster: { rootNodes: aclRootNodes },
      namespace: 'kit-acl',
      maxPayloadBytes: MAX_BYTES,
      secret: SECRET,
    }),
  { maxMessageBytes: MAX_BYTES, isShared: true },
);

describe('the least-privilege ACL user of a cluster', () => {
  it('was never refused a command or a channel by any node (ACL LOG is empty)', async () => {
    for (const node of cluster.nodes) expect(await node.cli('ACL', 'LOG')).toBe('');
  });
});
