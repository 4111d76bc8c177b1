export type { RedisTransport, RedisTransportStats } from './redis-transport.js';
export { createRedisTransport, restoreTransport } from './redis-transport.js';
export {
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
export type {
  RedisClusterOptions,
  RedisTlsOptions,
  RedisTransportOptions,
} from './redis-transport-options.js';
