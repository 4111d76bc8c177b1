import { ClustrError } from '@clustr/protocol';
import { createClient } from '@redis/client';
import { CLUSTER_SLOTS } from './cluster-slot.js';
import type { RedisClient } from './redis-connection.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';
import { redactUrl } from './redis-url-options.js';

/** Which primary serves each slot, as one node answered `CLUSTER SLOTS`. */
export interface SlotMap {
  /** The URL of the primary of each of the 16384 slots (`undefined`: not served). */
  readonly owners: readonly (string | undefined)[];
  /** The distinct primaries serving slots. */
  readonly primaries: readonly string[];
}

/** The URL of node `host:port` with the root URL's scheme, user and password. */
export function nodeUrl(root: string, host: string, port: number): string {
  const url = new URL(root);
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = String(port);
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
}

/**
 * Reads a `CLUSTER SLOTS` reply (`[[start, end, [host, port, id, …], replicas…], …]`); a node
 * announced without a host (`''` or `?`) is at the host the reply came from.
 */
export function parseClusterSlots(reply: unknown, root: string, answeredBy: string): SlotMap {
  const owners = new Array<string | undefined>(CLUSTER_SLOTS).fill(undefined);
  const primaries = new Set<string>();
  if (!Array.isArray(reply)) throw new Error(`CLUSTER SLOTS answered ${String(reply)}, not an array`);
  for (const range of reply) {
    if (!Array.isArray(range) || !Array.isArray(range[2])) continue;
    const [start, end, [host, port]] = range as [unknown, unknown, unknown[]];
    const announced = String(host ?? '');
    const at = announced === '' || announced === '?' ? new URL(answeredBy).hostname : announced;
    const url = nodeUrl(root, at, Number(port));
    primaries.add(url);
    for (let slot = Number(start); slot <= Number(end) && slot < CLUSTER_SLOTS; slot++) owners[slot] = url;
  }
  return { owners, primaries: [...primaries] };
}

/** Two maps that route every slot alike. */
export function isSameMap(a: SlotMap | undefined, b: SlotMap): boolean {
  if (a === undefined) return false;
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) if (a.owners[slot] !== b.owners[slot]) return false;
  return true;
}

/** Asks a connected client for the slot map; `undefined` when it cannot answer. */
export async function askSlotMap(
  client: RedisClient,
  root: string,
  url: string,
): Promise<SlotMap | undefined> {
  try {
    return parseClusterSlots(await client.sendCommand(['CLUSTER', 'SLOTS']), root, url);
  } catch {
    return undefined;
  }
}

/**
 * Asks each of `urls` in turn, over a short-lived connection bounded by the connect timeout,
 * until one answers `CLUSTER SLOTS`; rejects naming the nodes tried and the last reason.
 */
export async function discoverSlotMap(
  options: ResolvedRedisOptions,
  urls: readonly string[],
): Promise<SlotMap> {
  const root = options.cluster?.rootNodes[0] ?? options.url;
  let lastError: unknown;
  for (const url of urls) {
    const client: RedisClient = createClient({
      url,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        reconnectStrategy: false,
        ...(url.startsWith('rediss:') ? { tls: true as const, ...options.tls } : {}),
      },
      maintNotifications: 'disabled',
      disableClientInfo: true,
    });
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) =>
          setTimeout(reject, options.connectTimeoutMs, new Error('no answer')).unref(),
        ),
      ]);
      return parseClusterSlots(await client.sendCommand(['CLUSTER', 'SLOTS']), root, url);
    } catch (error) {
      lastError = error;
    } finally {
      // Nothing to wait for: the one reply is in.
      if (client.isOpen) client.destroy();
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  return Promise.reject(
    new ClustrError(
      'ERR_CLUSTR_TRANSPORT',
      `redis cluster: no node answered CLUSTER SLOTS (tried ${urls.map(redactUrl).join(', ')}): ${reason}`,
      { cause: lastError, details: { role: 'cluster' } },
    ),
  );
}
