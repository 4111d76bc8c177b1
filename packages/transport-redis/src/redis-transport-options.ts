import { DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import {
  checkDuration,
  checkPositiveInteger,
  checkString,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';
import { SIGNATURE_OVERHEAD_BYTES } from './frame-signature.js';
import {
  checkCluster,
  type RedisClusterOptions,
  type ResolvedClusterOptions,
} from './redis-cluster-options.js';
import { resolveSecret } from './redis-secret.js';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEALTH_CHECK_INTERVAL_MS,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_IN_FLIGHT_MESSAGES,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_NAMESPACE,
  DEFAULT_REPLAY_WINDOW_MS,
  DEFAULT_RESUBSCRIBE_GRACE_MS,
} from './redis-transport-defaults.js';
import { checkTls, checkUrl, type RedisTlsOptions } from './redis-url-options.js';

export type { RedisClusterOptions } from './redis-cluster-options.js';
export type { RedisTlsOptions } from './redis-url-options.js';
export { redactUrl } from './redis-url-options.js';

/**
 * Options of `createRedisTransport()`. Spawned children receive them (the secret as base64) in
 * their welcome frame, over their link, never in their environment.
 */
export interface RedisTransportOptions {
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]`. Passwords and ACL users go here;
   * `rediss://` connects with TLS.
   * @default 'redis://127.0.0.1:6379' (unless `cluster` is set: the two are exclusive)
   */
  url?: string;
  /**
   * A Redis Cluster (Redis 7+) instead of one server: each channel goes over sharded pub/sub
   * (`SPUBLISH`/`SSUBSCRIBE`) on the shard that owns its slot, so private and group traffic
   * spreads over the shards; the public channel is one channel, so one shard. Slot moves and
   * failovers are followed (the subscriptions move to the new owner, the backlog with them).
   * Exclusive with `url`.
   * @default undefined (one server, at `url`)
   * @example { rootNodes: ['redis://app:pw@10.0.0.5:7000', 'redis://app:pw@10.0.0.6:7000'] }
   */
  cluster?: RedisClusterOptions;
  /** Prefix of every channel: two namespaces on one server never see each other. @default 'clustr' */
  namespace?: string;
  /** First reconnect delay after a lost connection; doubles per failed attempt. @default 100 */
  reconnectInitialDelayMs?: number;
  /** Cap of the reconnect delay. @default 5000 */
  reconnectMaxDelayMs?: number;
  /**
   * Messages held while the publisher is disconnected; past it, new messages are dropped and
   * one `ERR_CLUSTR_QUEUE_FULL` per outage is reported. @default 10000
   */
  maxQueuedMessages?: number;
  /**
   * Messages sent and not yet answered by the server (plus those of the current event-loop turn)
   * while the publisher is connected. When a server is slow or stalls without disconnecting,
   * new messages past it are dropped (`stats().dropped`) and one `ERR_CLUSTR_QUEUE_FULL` is
   * reported per episode; the episode ends once fewer than half that many are in flight.
   * @default 100000
   */
  maxInFlightMessages?: number;
  /** Bound of `connect()`, of each reconnect attempt and of `close()`'s final flush. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * `CLIENT SETNAME` base; connections are named `<clientName>:pub` and `<clientName>:sub`.
   * @default '<namespace>:<group>:<workerId or "master">'
   */
  clientName?: string;
  /** Largest payload accepted, sent or received; larger ones are dropped and reported. @default 16 MiB */
  maxPayloadBytes?: number;
  /**
   * Messages a process publishes to one channel within one event-loop turn travel as one
   * payload, a run: the sender's meta once and the messages' data in order (one PUBLISH per
   * channel per turn: Redis's cost is per command, not per byte). This bounds such a run, in
   * UTF-8 bytes, signature included:
   * a larger turn is split into several payloads, in order. A lone message travels as a bare
   * envelope whatever its size (up to `maxPayloadBytes`). Smaller values spread a big turn over
   * more commands; larger ones make bigger writes into every subscriber's output buffer.
   * At least 1024 (or `maxPayloadBytes` when that is smaller), at most `maxPayloadBytes`.
   * @default 65536 (or `maxPayloadBytes` when that is smaller)
   */
  maxBatchBytes?: number;
  /**
   * After a reconnect, what was queued while disconnected waits until every channel it goes to
   * has as many subscribers again as the last PUBLISH to it reached (`PUBSUB NUMSUB`), at most
   * this long: after a Redis restart the other processes resubscribe too, and pub/sub delivers
   * only to those already back. @default 3000
   */
  resubscribeGraceMs?: number;
  /**
   * TLS settings; only with a `rediss://` URL (with `redis://` they would be ignored and the
   * connection plaintext, so that is refused). @default undefined
   */
  tls?: RedisTlsOptions;
  /**
   * The cluster's shared secret, at least 32 bytes: every payload this transport publishes is
   * signed with it (HMAC-SHA256 over the channel and the payload's bytes, with a timestamp), and
   * every payload it receives must be — unsigned, wrongly signed or replayed payloads (a bare
   * `redis-cli` kill code included) are dropped and reported as `ERR_CLUSTR_FORBIDDEN`. Spawned
   * children get it in their welcome frame. See the README's _Signed frames_.
   * @default the CLUSTR_SECRET environment variable; unsigned when that is not set
   */
  secret?: string | Uint8Array;
  /**
   * With a secret: how far, in ms, a signed payload's timestamp may be from this process's clock,
   * in the past or the future (clock skew between hosts counts against it). A payload recorded
   * and published again within the window is accepted. @default 30000
   */
  replayWindowMs?: number;
  /**
   * How often each connection (the publisher and the subscriber) sends a PING to prove the
   * server still answers; see `healthCheckTimeoutMs`. @default 1000
   */
  healthCheckIntervalMs?: number;
  /**
   * How long a connection's PING may go unanswered, with nothing else heard from the server
   * meanwhile, before the connection is treated as lost: it is destroyed, reported once as
   * `ERR_CLUSTR_TRANSPORT` with `details.reason` `'server-unreachable'`, and made again by the
   * reconnect loop (what is published meanwhile is queued). A silent network partition — no FIN,
   * no RST, writes vanish — is then found within `healthCheckIntervalMs + healthCheckTimeoutMs`;
   * keep that below presence's `timeoutMs` so a process learns it is cut off before the others
   * see it leave. A server that stalls for longer (a long script, `CLIENT PAUSE`) is treated the
   * same way. @default 2000
   */
  healthCheckTimeoutMs?: number;
}

/** {@link RedisTransportOptions} with every default filled in. */
export interface ResolvedRedisOptions {
  /** The server; with `cluster`, the node this connection is for (the first root node until routed). */
  readonly url: string;
  /** Set in cluster mode: connections then speak sharded pub/sub. */
  readonly cluster: ResolvedClusterOptions | undefined;
  readonly namespace: string;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly maxQueuedMessages: number;
  readonly maxInFlightMessages: number;
  readonly connectTimeoutMs: number;
  readonly clientName: string | undefined;
  readonly maxPayloadBytes: number;
  readonly maxBatchBytes: number;
  readonly resubscribeGraceMs: number;
  readonly tls: RedisTlsOptions | undefined;
  readonly secret: Buffer | undefined;
  readonly replayWindowMs: number;
  readonly healthCheckIntervalMs: number;
  readonly healthCheckTimeoutMs: number;
}

const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CLIENT_NAME_PATTERN = /^[!-~]{1,120}$/;
const WHAT = 'redis transport option';
const OPTION_KEYS: readonly (keyof RedisTransportOptions)[] = [
  'url',
  'cluster',
  'namespace',
  'reconnectInitialDelayMs',
  'reconnectMaxDelayMs',
  'maxQueuedMessages',
  'maxInFlightMessages',
  'connectTimeoutMs',
  'clientName',
  'maxPayloadBytes',
  'maxBatchBytes',
  'resubscribeGraceMs',
  'tls',
  'secret',
  'replayWindowMs',
  'healthCheckIntervalMs',
  'healthCheckTimeoutMs',
];

/** Smallest `maxPayloadBytes` with a secret: room for the signature and an envelope. */
const MIN_SIGNED_PAYLOAD_BYTES = 1024;
/** Smallest `maxBatchBytes`: room for the framing (numbers, signature) and a few envelopes. */
const MIN_BATCH_BYTES = 1024;

/**
 * Validates options once, at the factory: a wrong option fails in the caller's stack, an unknown
 * one (a typo, `password` instead of a password in the URL) too, instead of being ignored. The
 * secret falls back to `CLUSTR_SECRET` in `env` (a restored child passes none).
 */
export function resolveRedisOptions(
  input: RedisTransportOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedRedisOptions {
  if (!isOptionsObject(input)) {
    throw invalidOptionError('redis transport options', input, 'an object such as { url, namespace }');
  }
  const options: Record<string, unknown> = input;
  refuseUnknownKeys(options, OPTION_KEYS, WHAT);
  const namespace = checkString(
    `${WHAT} namespace`,
    options.namespace,
    DEFAULT_NAMESPACE,
    NAMESPACE_PATTERN,
    '1-64 characters: a letter or digit, then letters, digits, "_", "." or "-"',
  );
  const clientName = checkString(
    `${WHAT} clientName`,
    options.clientName,
    undefined,
    CLIENT_NAME_PATTERN,
    '1-120 printable characters without spaces',
  );
  const cluster = checkCluster(WHAT, options.cluster, options.url);
  const url = cluster?.rootNodes[0] ?? checkUrl(WHAT, options.url);
  const tls = checkTls(WHAT, options.tls, url);
  const secret = resolveSecret(`${WHAT} secret`, options.secret, env);
  const duration = (key: keyof RedisTransportOptions, fallback: number) =>
    checkDuration(`${WHAT} ${key}`, options[key], fallback, 1);
  const count = (key: keyof RedisTransportOptions, fallback: number) =>
    checkPositiveInteger(`${WHAT} ${key}`, options[key], fallback);
  const initial = duration('reconnectInitialDelayMs', DEFAULT_BACKOFF_MS);
  const max = duration('reconnectMaxDelayMs', DEFAULT_MAX_BACKOFF_MS);
  if (max < initial) {
    throw invalidOptionError(
      `${WHAT} reconnectMaxDelayMs`,
      max,
      `at least reconnectInitialDelayMs (${initial})`,
    );
  }
  const maxPayloadBytes = count('maxPayloadBytes', DEFAULT_MAX_FRAME_BYTES);
  if (secret !== undefined && maxPayloadBytes < MIN_SIGNED_PAYLOAD_BYTES) {
    throw invalidOptionError(
      `${WHAT} maxPayloadBytes`,
      maxPayloadBytes,
      `at least ${MIN_SIGNED_PAYLOAD_BYTES} with a secret (signing adds ${SIGNATURE_OVERHEAD_BYTES} bytes)`,
    );
  }
  const maxBatchBytes = count('maxBatchBytes', Math.min(DEFAULT_MAX_BATCH_BYTES, maxPayloadBytes));
  const minBatchBytes = Math.min(MIN_BATCH_BYTES, maxPayloadBytes);
  if (maxBatchBytes < minBatchBytes || maxBatchBytes > maxPayloadBytes) {
    throw invalidOptionError(
      `${WHAT} maxBatchBytes`,
      maxBatchBytes,
      `an integer from ${minBatchBytes} to maxPayloadBytes (${maxPayloadBytes})`,
    );
  }
  return {
    url,
    cluster,
    namespace,
    reconnectInitialDelayMs: initial,
    reconnectMaxDelayMs: max,
    maxQueuedMessages: count('maxQueuedMessages', DEFAULT_MAX_QUEUED_MESSAGES),
    maxInFlightMessages: count('maxInFlightMessages', DEFAULT_MAX_IN_FLIGHT_MESSAGES),
    connectTimeoutMs: duration('connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    clientName,
    maxPayloadBytes,
    maxBatchBytes,
    resubscribeGraceMs: duration('resubscribeGraceMs', DEFAULT_RESUBSCRIBE_GRACE_MS),
    tls,
    secret,
    replayWindowMs: duration('replayWindowMs', DEFAULT_REPLAY_WINDOW_MS),
    healthCheckIntervalMs: duration('healthCheckIntervalMs', DEFAULT_HEALTH_CHECK_INTERVAL_MS),
    healthCheckTimeoutMs: duration('healthCheckTimeoutMs', DEFAULT_HEALTH_CHECK_TIMEOUT_MS),
  };
}
