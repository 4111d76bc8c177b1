/**
 * The part of clustr's public API the bench drives, loaded at run time.
 *
 * Why not `import { Master } from '@clustr/core'`: the bench must typecheck and run its
 * baselines while the clustr packages are still being written, and a clustr case whose package
 * is not ready must become an error row, not a crash of the whole run. So the modules are
 * imported by name when a clustr case starts, and checked against these structural types.
 */

/** What a handler receives. */
export interface BenchEnvelope {
  meta: { workerId?: string; group: string };
  data: unknown;
}

/** A spawned child, as `master.spawn()` returns it. */
export interface SpawnedWorker {
  readonly workerId: string;
  readonly pid: number | undefined;
  readonly ready: Promise<void>;
  stop(): Promise<unknown>;
}

/** A member of the cluster, as presence lists it (what the bench reads of it). */
export interface BenchMember {
  readonly id: string;
  readonly methods?: readonly string[];
}

/** A master or worker. */
export interface ClusterProcess {
  ready(): Promise<void>;
  publish(channel: string, data: unknown, options?: { deliver?: 'all' | 'one' }): void;
  onPublic(handler: (message: BenchEnvelope) => void): () => void;
  onPrivate(handler: (message: BenchEnvelope) => void): () => void;
  request(target: string, method: string, data: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  onRequest(method: string, handler: (message: BenchEnvelope) => unknown): () => void;
  members(): BenchMember[];
  onJoin(handler: (member: BenchMember) => void): () => void;
  spawn(specs: readonly unknown[]): SpawnedWorker[];
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A worker: also has a workerId and a group. */
export interface ClusterWorker extends ClusterProcess {
  readonly workerId: string;
  onGroup(handler: (message: BenchEnvelope) => void): () => void;
}

/** The factories of `@clustr/core`. */
export interface ClustrCore {
  Master: { create(options: { transport?: unknown }): ClusterProcess };
  Worker: { create(options: { group: string }): ClusterWorker };
}

async function load(specifier: string): Promise<Record<string, unknown>> {
  return (await import(specifier)) as Record<string, unknown>;
}

function need<T>(module: Record<string, unknown>, name: string, specifier: string): T {
  const value = module[name];
  if (value === undefined || value === null) throw new Error(`${specifier} does not export ${name} (yet)`);
  return value as T;
}

/** `Master` and `Worker` of `@clustr/core`. */
export async function loadCore(): Promise<ClustrCore> {
  const core = await load('@clustr/core');
  return { Master: need(core, 'Master', '@clustr/core'), Worker: need(core, 'Worker', '@clustr/core') };
}

/** `createIpcTransport()` of `@clustr/transport-ipc`. */
export async function createIpcTransport(): Promise<unknown> {
  const specifier = '@clustr/transport-ipc';
  return need<() => unknown>(await load(specifier), 'createIpcTransport', specifier)();
}

/** `createRedisTransport({ cluster: { rootNodes }, namespace })` of `@clustr/transport-redis`. */
export async function createRedisClusterTransport(
  rootNodes: readonly string[],
  namespace: string,
): Promise<unknown> {
  const specifier = '@clustr/transport-redis';
  const create = need<(options: { cluster: { rootNodes: string[] }; namespace: string }) => unknown>(
    await load(specifier),
    'createRedisTransport',
    specifier,
  );
  return create({ cluster: { rootNodes: [...rootNodes] }, namespace });
}

/** `createRedisTransport({ url, namespace, secret? })` of `@clustr/transport-redis`. */
export async function createRedisTransport(
  url: string,
  namespace: string,
  secret?: string,
): Promise<unknown> {
  const specifier = '@clustr/transport-redis';
  const create = need<(options: { url: string; namespace: string; secret?: string }) => unknown>(
    await load(specifier),
    'createRedisTransport',
    specifier,
  );
  return create(secret === undefined ? { url, namespace } : { url, namespace, secret });
}
