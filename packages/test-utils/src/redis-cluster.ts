import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterNodeView, coveredSlots, parseClusterNodes, servingSignature } from './cluster-view.js';
import { freePort, run } from './process-helpers.js';
import { type ManagedClusterNode, type RedisClusterNode, spawnClusterNode } from './redis-cluster-node.js';

export type { ClusterNodeView } from './cluster-view.js';
export type { RedisClusterNode } from './redis-cluster-node.js';

const SLOTS = 16_384;

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Primaries sharing the 16384 slots; `redis-cli --cluster create` needs at least 3. @default 3 */
  primaries?: number;
  /** Replicas of each primary, for failover tests. @default 0 */
  replicasPerPrimary?: 0 | 1;
  /**
   * `cluster-node-timeout`: how long a node may be silent before it is failed over. Short, so
   * a test's `kill()` sees the replica promoted within a few seconds. @default 1000
   */
  nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node. @default [] */
  args?: string[];
  /** Bound of every wait for the cluster to be whole (start, failover, kill). @default 20000 */
  readyTimeoutMs?: number;
}

/** A local Redis Cluster the test started itself: nodes on free loopback ports, own temp dirs. */
export interface RedisCluster extends AsyncDisposable {
  /** The url of every node started (primaries first): what a client is given as root nodes. */
  readonly rootNodes: readonly string[];
  /** Every node started, killed ones included (their `pid` is then `undefined`). */
  readonly nodes: readonly RedisClusterNode[];
  /** The cluster as a running node sees it now (`CLUSTER NODES`). */
  topology(): Promise<ClusterNodeView[]>;
  /** The running primaries that serve slots now. */
  primaries(): Promise<RedisClusterNode[]>;
  /** The running replicas of `primary` now. */
  replicasOf(primary: RedisClusterNode): Promise<RedisClusterNode[]>;
  /** `CLUSTER FAILOVER` on `replica`; resolves once every running node sees it serve the slots. */
  failover(replica: RedisClusterNode): Promise<void>;
  /** SIGKILLs `node` by its pid; resolves once its slots are served again (by a promoted replica). */
  kill(node: RedisClusterNode): Promise<void>;
  /**
   * Moves `slot` (which must hold no keys) to primary `to`, as a resharding does: `IMPORTING` /
   * `MIGRATING`, then `CLUSTER SETSLOT <slot> NODE` on every primary; resolves once every running
   * node sees `to` serve it.
   */
  moveSlot(slot: number, to: RedisClusterNode): Promise<void>;
  /** Resolves once every running node says `cluster_state:ok`, covers all slots and agrees. */
  waitUntilHealthy(): Promise<void>;
  /** Stops every node by its own pid and removes the temp dirs; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster on 127.0.0.1 with the installed `redis-server` (7+, so sharded pub/sub
 * works) and `redis-cli --cluster create`, and waits until it is healthy.
 *
 * @example
 * await using cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
 * const [primary] = await cluster.primaries();
 * await cluster.kill(primary!); // its replica takes over
 */
/** Most attempts at a node whose ports another process took between the pick and the bind. */
const PORT_ATTEMPTS = 3;

/**
 * Starts one node on a free port with its cluster bus on another free port (`cluster-port`: the
 * default, port + 10000, may be anyone's), and waits for its PING; a port taken meanwhile by
 * another process costs an attempt, not the test.
 */
async function startNode(
  dir: string,
  args: readonly string[],
  readyTimeoutMs: number,
): Promise<ManagedClusterNode> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let busPort = await freePort();
    while (busPort === port) busPort = await freePort();
    const node = spawnClusterNode(port, dir, [...args, '--cluster-port', String(busPort)]);
    try {
      await node.ready(readyTimeoutMs);
      return node;
    } catch (error) {
      await node.stop();
      const isPortTaken = error instanceof Error && error.message.includes('Address already in use');
      if (!isPortTaken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const { primaries = 3, replicasPerPrimary = 0, nodeTimeoutMs = 1_000, readyTimeoutMs = 20_000 } = options;
  if (!Number.isInteger(primaries) || primaries < 3)
    throw new Error(`primaries ${primaries}: a Redis Cluster needs at least 3`);
  const root = await mkdtemp(join(tmpdir(), 'clustr-redis-cluster-'));
  const args = [
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // Any replica may take over, however long it was cut off: tests kill primaries on purpose.
    '--cluster-replica-validity-factor',
    '0',
    ...(options.args ?? []),
  ];
  const nodes: ManagedClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < primaries * (1 + replicasPerPrimary); i++) {
      nodes.push(await startNode(await mkdtemp(join(root, 'node-')), args, readyTimeoutMs));
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicasPerPrimary),
        '--cluster-yes',
      ],
      readyTimeoutMs,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const cluster = createHandle(nodes, readyTimeoutMs, stop);
  await cluster.waitUntilHealthy().catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return cluster;
}

function createHandle(
  nodes: readonly ManagedClusterNode[],
  timeoutMs: number,
  stopAll: () => Promise<void>,
): RedisCluster {
  const running = () => nodes.filter((node) => node.pid !== undefined);
  const viewOf = async (node: RedisClusterNode) => parseClusterNodes(await node.cli('CLUSTER', 'NODES'));
  const byPort = (port: number) => nodes.find((node) => node.port === port);

  /** Polls until `test` holds for the running nodes; fails naming `what` and the last state seen. */
  async function waitFor(what: string, test: () => Promise<string | true>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: string | true = 'not checked yet';
    for (;;) {
      last = await test().catch((error: unknown) => String(error));
      if (last === true) return;
      if (Date.now() > deadline)
        throw new Error(`redis cluster: timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function healthy(): Promise<string | true> {
    const signatures = new Set<string>();
    for (const node of running()) {
      const info = await node.cli('CLUSTER', 'INFO');
      if (!info.includes('cluster_state:ok')) return `node ${node.port} is not cluster_state:ok`;
      const views = await viewOf(node);
      const covered = coveredSlots(views);
      if (covered !== SLOTS) return `node ${node.port} sees ${covered} of ${SLOTS} slots served`;
      signatures.add(servingSignature(views));
    }
    return signatures.size === 1 || `the nodes disagree on the primaries: ${[...signatures].join(' | ')}`;
  }

  async function topology(): Promise<ClusterNodeView[]> {
    const node = running()[0];
    if (node === undefined) throw new Error('redis cluster: no node is running');
    return viewOf(node);
  }

  const waitUntilHealthy = () => waitFor('every running node to be ok, cover all slots and agree', healthy);

  async function roleEverywhere(node: RedisClusterNode): Promise<string | true> {
    for (const other of running()) {
      const view = (await viewOf(other)).find((entry) => entry.port === node.port);
      if (view?.role !== 'primary' || view.slots.length === 0)
        return `node ${other.port} does not see ${node.port} serving slots yet`;
    }
    return healthy();
  }

  return {
    rootNodes: nodes.map((node) => node.url),
    nodes,
    topology,
    async primaries() {
      const views = await topology();
      return views
        .filter((view) => view.role === 'primary' && !view.isFailing && view.slots.length > 0)
        .flatMap((view) => byPort(view.port) ?? []);
    },
    async replicasOf(primary) {
      const views = await topology();
      const id = views.find((view) => view.port === primary.port)?.id;
      return views
        .filter((view) => view.primaryId === id && !view.isFailing)
        .flatMap((view) => byPort(view.port) ?? []);
    },
    async failover(replica) {
      await replica.cli('CLUSTER', 'FAILOVER');
      await waitFor(`replica ${replica.port} to serve its primary's slots`, () => roleEverywhere(replica));
    },
    async kill(node) {
      const managed = byPort(node.port);
      if (managed === undefined || managed.pid === undefined)
        throw new Error(`redis cluster: node ${node.port} is not running`);
      const wasServing = (await topology()).find((view) => view.port === node.port)?.slots ?? [];
      await managed.kill();
      await waitFor(`the slots of killed node ${node.port} to be served by another node`, async () => {
        for (const other of running()) {
          const views = await viewOf(other);
          const owner = views.find((view) => view.slots.some(([start]) => start === wasServing[0]?.[0]));
          if (wasServing.length > 0 && (owner === undefined || owner.port === node.port))
            return `node ${other.port} still sees ${node.port} owning its slots`;
        }
        return healthy();
      });
    },
    async moveSlot(slot, to) {
      const views = await topology();
      const target = views.find((view) => view.port === to.port);
      const source = views.find((view) => view.slots.some(([start, end]) => slot >= start && slot <= end));
      const from = source === undefined ? undefined : byPort(source.port);
      if (target === undefined || from === undefined)
        throw new Error(`redis cluster: slot ${slot} or node ${to.port} unknown`);
      await to.cli('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source!.id);
      await from.cli('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id);
      for (const primary of [to, from, ...(await this.primaries())])
        await primary.cli('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id);
      await waitFor(`slot ${slot} to be served by ${to.port} everywhere`, async () => {
        for (const node of running()) {
          const owner = (await viewOf(node)).find((view) =>
            view.slots.some(([a, b]) => slot >= a && slot <= b),
          );
          if (owner?.port !== to.port) return `node ${node.port} still sees ${owner?.port} own slot ${slot}`;
        }
        return healthy();
      });
    },
    waitUntilHealthy,
    stop: stopAll,
    [Symbol.asyncDispose]: stopAll,
  };
}
