import type { RedisTransportStats } from './redis-transport-types.js';

/** Counters of connections that did nothing yet. */
export const EMPTY_STATS: RedisTransportStats = {
  published: 0,
  queued: 0,
  dropped: 0,
  inFlight: 0,
  lost: 0,
  received: 0,
  badPayloads: 0,
  forbidden: 0,
  missed: 0,
  reconnects: 0,
  channels: [],
};

/** The counters of two sets of connections summed (cluster mode: one pair per shard). */
export function addStats(a: RedisTransportStats, b: RedisTransportStats): RedisTransportStats {
  return {
    published: a.published + b.published,
    queued: a.queued + b.queued,
    dropped: a.dropped + b.dropped,
    inFlight: a.inFlight + b.inFlight,
    lost: a.lost + b.lost,
    received: a.received + b.received,
    badPayloads: a.badPayloads + b.badPayloads,
    forbidden: a.forbidden + b.forbidden,
    missed: a.missed + b.missed,
    reconnects: a.reconnects + b.reconnects,
    channels: [...a.channels, ...b.channels],
  };
}
