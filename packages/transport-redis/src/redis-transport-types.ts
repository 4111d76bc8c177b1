import type { Transport } from '@clustr/protocol';

/** Counters of a {@link RedisTransport}, for monitoring and tests. */
export interface RedisTransportStats {
  /** PUBLISH commands sent. */
  readonly published: number;
  /** Messages waiting for the publisher to reconnect. */
  readonly queued: number;
  /**
   * Messages refused by the full queue, by too many in flight (`maxInFlightMessages`), or
   * unsent at close.
   */
  readonly dropped: number;
  /** Messages sent and not yet answered by the server. */
  readonly inFlight: number;
  /** PUBLISH commands in flight when a connection broke (at-most-once: not retried). */
  readonly lost: number;
  /** Valid messages received. */
  readonly received: number;
  /**
   * Messages that other processes (or this one) sent to a channel this process subscribes to and
   * that never arrived: gaps in the senders' numbering, each reported as
   * `ERR_CLUSTR_MESSAGES_LOST` (once per episode). Presence shows it as `messagesLost`.
   */
  readonly missed: number;
  /** Payloads dropped because they were not valid envelopes. */
  readonly badPayloads: number;
  /**
   * Frames dropped for breaking a trust rule (`ERR_CLUSTR_FORBIDDEN`): received payloads that
   * were unsigned, wrongly signed or outside the replay window while this transport has a
   * secret, and frames of an adopted child that spoke for another workerId or group.
   */
  readonly forbidden: number;
  /** Successful reconnects of either connection. */
  readonly reconnects: number;
  /** Channels this process subscribes to (one Redis subscription each). */
  readonly channels: readonly string[];
}

/** The Redis transport: a {@link Transport} plus counters and `await using` support. */
export interface RedisTransport extends Transport, AsyncDisposable {
  readonly name: 'redis';
  /** A snapshot of the counters. */
  stats(): RedisTransportStats;
}
