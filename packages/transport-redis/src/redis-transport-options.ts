import { ClustrError, DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/** Namespace of the default cluster: channels are `clustr:<channel>`. */
export const DEFAULT_NAMESPACE = 'clustr';
/** First delay before reconnecting after a lost connection, in ms. */
export const DEFAULT_BACKOFF_MS = 100;
/** Longest delay between two reconnect attempts, in ms. */
export const DEFAULT_MAX_BACKOFF_MS = 5_000;
/** Most messages held while the publisher is disconnected. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 10_000;
/** How long `connect()` (and each reconnect attempt) may take, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** How long a backlog waits after a reconnect for the receivers it had to resubscribe, in ms. */
export const DEFAULT_RESUBSCRIBE_GRACE_MS = 3_000;
/**
 * Most messages sent and not yet answered while the publisher is connected: a slow or stalled
 * server then costs dropped messages, not unbounded memory in the client's command queue.
 * @default 100000
 */
export const DEFAULT_MAX_IN_FLIGHT_MESSAGES = 100_000;

/** TLS settings for `rediss://` URLs, as JSON so spawned children can rebuild them. */
export interface RedisTlsOptions {
  /** PEM of the CA that signed the server's certificate (a self-signed certificate itself). @default Node's CA store */
  ca?: string;
  /** PEM client certificate, when the server asks for one. @default undefined */
  cert?: string;
  /** PEM private key of {@link RedisTlsOptions.cert}. @default undefined */
  key?: string;
  /** Server name to check the certificate against. @default the URL's host */
  servername?: string;
  /** Refuse servers whose certificate does not verify. Leave on outside tests. @default true */
  rejectUnauthorized?: boolean;
}

/** Options of `createRedisTransport()`. Every value must be JSON: children receive them. */
export interface RedisTransportOptions {
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]`. Passwords and ACL users go here;
   * `rediss://` connects with TLS. The URL travels to spawned children in their environment.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
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
   * After a reconnect, what was queued while disconnected waits until every channel it goes to
   * has as many subscribers again as the last PUBLISH to it reached (`PUBSUB NUMSUB`), at most
   * this long: after a Redis restart the other processes resubscribe too, and pub/sub delivers
   * only to those already back. @default 3000
   */
  resubscribeGraceMs?: number;
  /** TLS settings for `rediss://`. @default undefined */
  tls?: RedisTlsOptions;
}

/** {@link RedisTransportOptions} with every default filled in. */
export interface ResolvedRedisOptions {
  readonly url: string;
  readonly namespace: string;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly maxQueuedMessages: number;
  readonly maxInFlightMessages: number;
  readonly connectTimeoutMs: number;
  readonly clientName: string | undefined;
  readonly maxPayloadBytes: number;
  readonly resubscribeGraceMs: number;
  readonly tls: RedisTlsOptions | undefined;
}

const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CLIENT_NAME_PATTERN = /^[!-~]{1,120}$/;

function invalid(name: string, value: unknown, allowed: string): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `redis transport option ${name} ${describeValue(value)} is not valid (allowed: ${allowed})`,
    { details: { option: name, value } },
  );
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw invalid(name, value, 'a positive integer');
}

function checkUrl(value: unknown): string {
  if (value === undefined) return 'redis://127.0.0.1:6379';
  if (typeof value === 'string') {
    const protocol = URL.canParse(value) ? new URL(value).protocol : '';
    if (protocol === 'redis:' || protocol === 'rediss:') return value;
  }
  throw invalid('url', redactUrl(value), 'a redis:// or rediss:// URL');
}

/** Validates options once, at the factory: a wrong option fails in the caller's stack. */
export function resolveRedisOptions(options: RedisTransportOptions = {}): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `redis transport options ${describeValue(options)} are not valid (an object such as { url, namespace })`,
    );
  }
  const { namespace = DEFAULT_NAMESPACE, clientName, tls } = options;
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw invalid(
      'namespace',
      namespace,
      '1-64 characters: a letter or digit, then letters, digits, "_", "." or "-"',
    );
  }
  if (clientName !== undefined && (typeof clientName !== 'string' || !CLIENT_NAME_PATTERN.test(clientName))) {
    throw invalid('clientName', clientName, '1-120 printable characters without spaces');
  }
  if (tls !== undefined && (typeof tls !== 'object' || tls === null)) throw invalid('tls', tls, 'an object');
  const initial = positiveInteger(
    'reconnectInitialDelayMs',
    options.reconnectInitialDelayMs,
    DEFAULT_BACKOFF_MS,
  );
  const max = positiveInteger('reconnectMaxDelayMs', options.reconnectMaxDelayMs, DEFAULT_MAX_BACKOFF_MS);
  if (max < initial)
    throw invalid('reconnectMaxDelayMs', max, `at least reconnectInitialDelayMs (${initial})`);
  return {
    url: checkUrl(options.url),
    namespace,
    reconnectInitialDelayMs: initial,
    reconnectMaxDelayMs: max,
    maxQueuedMessages: positiveInteger(
      'maxQueuedMessages',
      options.maxQueuedMessages,
      DEFAULT_MAX_QUEUED_MESSAGES,
    ),
    maxInFlightMessages: positiveInteger(
      'maxInFlightMessages',
      options.maxInFlightMessages,
      DEFAULT_MAX_IN_FLIGHT_MESSAGES,
    ),
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    clientName,
    maxPayloadBytes: positiveInteger('maxPayloadBytes', options.maxPayloadBytes, DEFAULT_MAX_FRAME_BYTES),
    resubscribeGraceMs: positiveInteger(
      'resubscribeGraceMs',
      options.resubscribeGraceMs,
      DEFAULT_RESUBSCRIBE_GRACE_MS,
    ),
    tls,
  };
}

/** The URL without its password, for error messages and logs. */
export function redactUrl(url: unknown): string {
  if (typeof url !== 'string' || !URL.canParse(url))
    return typeof url === 'string' ? '(unparsable URL)' : String(url);
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
