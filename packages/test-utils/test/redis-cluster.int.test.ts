import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRedisCluster } from '../src/redis-cluster.js';

const isAlive = (pid: number) => existsSync(`/proc/${pid}`);

describe('startRedisCluster', () => {
  it('starts 3 primaries covering every slot, answers sharded pub/sub, and stops every node by pid', async () => {
    const cluster = await startRedisCluster({ primaries: 3 });
    const pids = cluster.nodes.map((node) => node.pid!);
    try {
      expect(cluster.rootNodes).toHaveLength(3);
      const primaries = await cluster.primaries();
      expect(primaries.map((node) => node.port).sort()).toEqual(
        cluster.nodes.map((node) => node.port).sort(),
      );
      for (const node of cluster.nodes)
        expect(await node.cli('CLUSTER', 'INFO')).toContain('cluster_state:ok');
      // A shard channel lives on the node that owns its slot: the others answer MOVED.
      const replies = await Promise.all(cluster.nodes.map((node) => node.cli('SPUBLISH', 'probe', 'x')));
      expect(replies.filter((reply) => reply === '0')).toHaveLength(1);
    } finally {
      await cluster.stop();
    }
    expect(pids.filter(isAlive)).toEqual([]);
    await cluster.stop(); // idempotent
  });

  it('with a replica per primary: fails over on CLUSTER FAILOVER and after a SIGKILL of a primary', async () => {
    await using cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    expect(cluster.nodes).toHaveLength(6);
    const [first, second] = await cluster.primaries();
    const [replica] = await cluster.replicasOf(first!);
    await cluster.failover(replica!);
    const afterFailover = (await cluster.primaries()).map((node) => node.port);
    expect(afterFailover).toContain(replica!.port);
    expect(afterFailover).not.toContain(first!.port);

    const [heir] = await cluster.replicasOf(second!);
    const killedPid = second!.pid!;
    await cluster.kill(second!);
    expect(isAlive(killedPid)).toBe(false);
    expect(second!.pid).toBeUndefined();
    expect((await cluster.primaries()).map((node) => node.port)).toContain(heir!.port);
  });

  it('refuses fewer than 3 primaries, naming the value', async () => {
    await expect(startRedisCluster({ primaries: 2 })).rejects.toThrow(
      'primaries 2: a Redis Cluster needs at least 3',
    );
  });
});
