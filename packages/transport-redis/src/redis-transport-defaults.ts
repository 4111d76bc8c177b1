// The defaults of the Redis transport's options, exported for users and tests.

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
 * How far a signed payload's timestamp may lie from the receiver's clock, either way, in ms.
 * @default 30000
 */
export const DEFAULT_REPLAY_WINDOW_MS = 30_000;
/**
 * How often each Redis connection sends a PING to prove the server still answers, in ms.
 * @default 1000
 */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 1_000;
/**
 * How long a PING may go unanswered (with nothing else heard from the server) before the
 * connection is treated as lost, in ms. With the default interval, a silent partition is found
 * within 3 s: inside presence's default `timeoutMs` of 5 s.
 * @default 2000
 */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2_000;
/**
 * Most messages sent and not yet answered while the publisher is connected: a slow or stalled
 * server then costs dropped messages, not unbounded memory in the client's command queue.
 * @default 100000
 */
export const DEFAULT_MAX_IN_FLIGHT_MESSAGES = 100_000;

/**
 * Most UTF-8 bytes of one run payload (the messages of one event-loop turn to one channel);
 * a turn that published more to a channel is split into several payloads.
 * @default 65536
 */
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024;
