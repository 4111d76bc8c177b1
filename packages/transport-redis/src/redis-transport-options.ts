import { DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import {
  checkBoolean,
  checkDuration,
  checkPositiveInteger,
  checkString,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';

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
const WHAT = 'redis transport option';
const OPTION_KEYS: readonly (keyof RedisTransportOptions)[] = [
  'url',
  'namespace',
  'reconnectInitialDelayMs',
  'reconnectMaxDelayMs',
  'maxQueuedMessages',
  'maxInFlightMessages',
  'connectTimeoutMs',
  'clientName',
  'maxPayloadBytes',
  'resubscribeGraceMs',
  'tls',
];
const TLS_KEYS: readonly (keyof RedisTlsOptions)[] = [
  'ca',
  'cert',
  'key',
  'servername',
  'rejectUnauthorized',
];

function checkUrl(value: unknown): string {
  if (value === undefined) return 'redis://127.0.0.1:6379';
  if (typeof value === 'string') {
    const protocol = URL.canParse(value) ? new URL(value).protocol : '';
    if (protocol === 'redis:' || protocol === 'rediss:') return value;
  }
  throw invalidOptionError(`${WHAT} url`, redactUrl(value), 'a redis:// or rediss:// URL');
}

function checkTls(value: unknown): RedisTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!isOptionsObject(value)) throw invalidOptionError(`${WHAT} tls`, value, 'an object');
  refuseUnknownKeys(value, TLS_KEYS, `${WHAT} tls`);
  for (const key of ['ca', 'cert', 'key', 'servername'] as const) {
    checkString(
      `${WHAT} tls.${key}`,
      value[key],
      undefined,
      undefined,
      'a string (PEM text for ca, cert, key)',
    );
  }
  checkBoolean(`${WHAT} tls.rejectUnauthorized`, value.rejectUnauthorized, true);
  return value as RedisTlsOptions;
}

/**
 * Validates options once, at the factory: a wrong option fails in the caller's stack, an unknown
 * one (a typo, `secret` instead of a password in the URL) too, instead of being ignored.
 */
export function resolveRedisOptions(input: RedisTransportOptions = {}): ResolvedRedisOptions {
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
  const tls = checkTls(options.tls);
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
  return {
    url: checkUrl(options.url),
    namespace,
    reconnectInitialDelayMs: initial,
    reconnectMaxDelayMs: max,
    maxQueuedMessages: count('maxQueuedMessages', DEFAULT_MAX_QUEUED_MESSAGES),
    maxInFlightMessages: count('maxInFlightMessages', DEFAULT_MAX_IN_FLIGHT_MESSAGES),
    connectTimeoutMs: duration('connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    clientName,
    maxPayloadBytes: count('maxPayloadBytes', DEFAULT_MAX_FRAME_BYTES),
    resubscribeGraceMs: duration('resubscribeGraceMs', DEFAULT_RESUBSCRIBE_GRACE_MS),
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
