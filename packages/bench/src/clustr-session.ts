import { setImmediate as nextTurn } from 'node:timers/promises';
import { type RedisCluster, startRedisCluster } from '@clustr-internal/test-utils';
import {
  type ClusterProcess,
  createIpcTransport,
  createRedisClusterTransport,
  createRedisTransport,
  loadCore,
  type SpawnedWorker,
} from './clustr-api.js';
import { CLUSTR_WORKER_EXEC_ARGV, childFile } from './loaders.js';
import type { RunContext } from './measurement.js';
import { withTimeout } from './run-context.js';

const WORKER_FILE = childFile('clustr-worker.ts');

/** A master with ready workers, and the master's private inbox. */
export interface ClustrSession {
  readonly master: ClusterProcess;
  readonly workers: SpawnedWorker[];
  /** Errors the master reported (e.g. `ERR_CLUSTR_QUEUE_FULL`): they explain a missing figure. */
  readonly errors: string[];
  /** Resolves once `accept` returns true for a private message to the master (the data of each is offered in turn). */
  until(accept: (data: unknown) => boolean, what: string): Promise<void>;
}

/**
 * Which transport a clustr case runs on; `redis-signed` is Redis with a `secret` (every payload
 * signed), `redis-cluster` a local 3-primary Redis Cluster started for the run (sharded pub/sub).
 */
export type TransportKind = 'ipc' | 'redis' | 'redis-signed' | 'redis-cluster';

/** The Redis Cluster of each run of a `redis-cluster` case, for cases that read its nodes' counters. */
const clusters = new WeakMap<RunContext, RedisCluster>();

/** The cluster this run started (`redis-cluster` kind), if any. */
export function clusterOf(context: RunContext): RedisCluster | undefined {
  return clusters.get(context);
}

/** The signed cases' secret: a fixed 32+ bytes, as any would do for the cost of an HMAC. */
const BENCH_SECRET = 'bench-secret-0123456789abcdefghijklmnop';

/** Builds the transport of `kind` for this run (Redis: this run's server and namespace). */
export async function createTransport(context: RunContext, kind: TransportKind): Promise<unknown> {
  if (kind === 'ipc') return createIpcTransport();
  if (kind === 'redis-cluster') {
    const cluster = await startRedisCluster({ primaries: 3 });
    context.defer(() => cluster.stop());
    clusters.set(context, cluster);
    return createRedisClusterTransport(cluster.rootNodes, context.namespace);
  }
  return createRedisTransport(
    context.redisUrl,
    context.namespace,
    kind === 'redis-signed' ? BENCH_SECRET : undefined,
  );
}

/** Spawn specs of `n` bench workers (TypeScript, run through tsx against the sources). */
export function workerSpecs(n: number): { file: string; execArgv: string[]; restart: 'never' }[] {
  return Array.from({ length: n }, () => ({
    file: WORKER_FILE,
    execArgv: [...CLUSTR_WORKER_EXEC_ARGV],
    restart: 'never' as const,
  }));
}

/** Starts a master on `kind` and `n` workers; everything is closed at the end of the run. */
export async function startClustr(
  context: RunContext,
  kind: TransportKind,
  n: number,
): Promise<ClustrSession> {
  const { Master } = await loadCore();
  const master = Master.create({ transport: await createTransport(context, kind) });
  const errors: string[] = [];
  master.on('error', (error) =>
    errors.push(`${(error as { code?: string }).code ?? 'error'}: ${error.message}`),
  );
  const workers: SpawnedWorker[] = [];
  context.defer(async () => {
    try {
      await withTimeout(master.close(), 8000, 'master.close()');
    } finally {
      killLeftovers(workers);
    }
  });
  await context.wait(master.ready(), 'the master to be ready');
  workers.push(...master.spawn(workerSpecs(n)));
  await context.wait(Promise.all(workers.map((w) => w.ready)), `${n} worker(s) to be ready`);
  // Requests and deliver: 'one' go to members presence knows: wait until the master knows them.
  await context.wait(
    known(
      master,
      workers.map((w) => w.workerId),
    ),
    `the master to know ${n} worker(s) and their methods`,
  );
  for (const worker of workers) context.placement.placeChild(worker.pid);
  const waiters = new Set<(data: unknown) => void>();
  master.onPrivate(({ data }) => {
    for (const waiter of waiters) waiter(data);
  });
  return {
    master,
    workers,
    errors,
    until(accept, what) {
      let waiter: ((data: unknown) => void) | undefined;
      const found = new Promise<void>((resolve) => {
        waiter = (data) => {
          if (accept(data)) resolve();
        };
        waiters.add(waiter);
      });
      const explained = context.wait(found, what).catch((error: unknown) => {
        throw errors.length === 0
          ? error
          : new Error(`${(error as Error).message}; master reported: ${errors.slice(0, 3).join(' | ')}`);
      });
      return explained.finally(() => waiters.delete(waiter as (data: unknown) => void));
    },
  };
}

/** Resolves once `master`'s presence lists every one of `ids` with its methods (woken by joins). */
function known(master: ClusterProcess, ids: readonly string[]): Promise<void> {
  const isKnown = () =>
    ids.every((id) => master.members().some((m) => m.id === id && m.methods !== undefined));
  return new Promise((resolve) => {
    if (isKnown()) return resolve();
    const off = master.onJoin(() => {
      if (!isKnown()) return;
      off();
      resolve();
    });
  });
}

/** SIGKILLs what `master.close()` left running: an unfinished spawner must not leak children. */
function killLeftovers(workers: readonly SpawnedWorker[]): void {
  for (const worker of workers) {
    if (worker.pid === undefined) continue;
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Publishes `n` messages `{i}` to `channel`, `perTurn` per event-loop turn. */
export async function publishMany(
  master: ClusterProcess,
  channel: string,
  n: number,
  perTurn: number,
  options?: { deliver: 'all' | 'one' },
): Promise<void> {
  for (let i = 0; i < n; i++) {
    master.publish(channel, { i }, options);
    if ((i + 1) % perTurn === 0) await nextTurn();
  }
}

/** `data.done` of a `{done}` report. */
export function doneCount(data: unknown): number | undefined {
  const done = (data as { done?: unknown } | null)?.done;
  return typeof done === 'number' ? done : undefined;
}
