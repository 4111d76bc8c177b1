import { ClustrError } from '@clustr/protocol';
import { invalidOptionError, isOptionsObject, refuseUnknownKeys } from '@clustr/protocol/internal';
import { redactUrl } from './redis-url-options.js';

/**
 * Where a Redis Cluster is: the transport then speaks sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`,
 * Redis 7+), each channel on the shard that owns its slot.
 */
export interface RedisClusterOptions {
  /**
   * URLs of some nodes of the cluster (any role), `redis[s]://[[user][:password]@]host:port`:
   * the first that answers tells the slot map. Every node is then reached with the first URL's
   * scheme, user and password (a cluster shares its ACL users), at the host and port the cluster
   * announces.
   * @example ['redis://app:pw@10.0.0.5:7000', 'redis://app:pw@10.0.0.6:7000']
   */
  rootNodes: string[];
}

/** {@link RedisClusterOptions}, checked. */
export interface ResolvedClusterOptions {
  readonly rootNodes: readonly string[];
}

/**
 * Checks `cluster`: an object with a non-empty `rootNodes` of redis URLs sharing one scheme
 * (plaintext and TLS nodes in one cluster would be one of them misconfigured); refused together
 * with `url`, which would otherwise be silently ignored.
 */
export function checkCluster(what: string, value: unknown, url: unknown): ResolvedClusterOptions | undefined {
  if (value === undefined) return undefined;
  if (!isOptionsObject(value))
    throw invalidOptionError(`${what} cluster`, value, 'an object such as { rootNodes: [url, …] }');
  refuseUnknownKeys(value, ['rootNodes'], `${what} cluster`);
  if (url !== undefined) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `${what} url ${JSON.stringify(redactUrl(url))} is set together with cluster (allowed: one of them: url for one Redis server, cluster.rootNodes for a Redis Cluster)`,
      { details: { option: `${what} url`, url: redactUrl(url) } },
    );
  }
  const { rootNodes } = value;
  if (!Array.isArray(rootNodes) || rootNodes.length === 0) {
    throw invalidOptionError(
      `${what} cluster.rootNodes`,
      rootNodes,
      'a non-empty array of redis:// or rediss:// URLs',
    );
  }
  const urls = rootNodes.map((node: unknown, i) => {
    const protocol = typeof node === 'string' && URL.canParse(node) ? new URL(node).protocol : '';
    if (protocol === 'redis:' || protocol === 'rediss:') return node as string;
    throw invalidOptionError(
      `${what} cluster.rootNodes[${i}]`,
      redactUrl(node),
      'a redis:// or rediss:// URL',
    );
  });
  const schemes = new Set(urls.map((node) => new URL(node).protocol));
  if (schemes.size > 1) {
    throw invalidOptionError(
      `${what} cluster.rootNodes`,
      urls.map(redactUrl),
      'URLs of one scheme: all redis:// or all rediss://',
    );
  }
  return { rootNodes: urls };
}
