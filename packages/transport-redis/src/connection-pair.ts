import type { ClustrError, Envelope, TransportSelf } from '@clustr/protocol';
import { isServerUnreachable } from './health-check.js';
import type { RedisClient } from './redis-connection.js';
import { RedisPublisher } from './redis-publisher.js';
import { RedisSubscriber } from './redis-subscriber.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';
import type { RedisTransportStats } from './redis-transport-types.js';
import { explainSubscriberLoss, readBufferLimitKills } from './slow-consumer.js';

/** What the pair needs from its transport. */
export interface PairHooks {
  deliver(channel: string, envelope: Envelope): void;
  report(error: ClustrError): void;
  /** A dropped payload, reported throttled per `source`. */
  reportFrame(source: string, error: ClustrError): void;
  /** True once the transport is closing: a subscriber that drops then is not news. */
  isClosing(): boolean;
  /** Cluster mode: a connection was lost (its node may have failed over). */
  changed?(): void;
  /** Cluster mode: the server ended the subscription to `channel` (a failover, a slot move). */
  moved?(channel: string): void;
}

/**
 * What a transport publishes and subscribes through: one {@link ConnectionPair} on one server,
 * or a pair per shard in cluster mode (`createShardedConnections`).
 */
export interface TransportConnections {
  readonly publisher: Pick<RedisPublisher, 'publish'>;
  readonly subscriber: Pick<RedisSubscriber, 'subscribe' | 'unsubscribe'>;
  /**
   * Opens the connections as `self`; `onOpen` runs in the same turn they are all up (the
   * backlog released), before the returned promise resolves. On failure all are closed.
   */
  open(self: TransportSelf, onOpen: () => void): Promise<void>;
  /**
   * Closes all. Connected, the publisher closes first (its backlog may still wait for the
   * subscriber to come back); still connecting, every attempt ends at once.
   */
  close(isConnected: boolean): Promise<void>;
  /** A snapshot of the connections' counters. */
  stats(): RedisTransportStats;
}

/** The two connections of a Redis transport, wired to each other. */
export interface ConnectionPair extends TransportConnections {
  readonly publisher: RedisPublisher;
  readonly subscriber: RedisSubscriber;
}

/**
 * Creates the publisher and the subscriber of one transport. While the own subscriber is down
 * the publisher holds what this process publishes, so it does not miss its own messages; a
 * subscriber lost while the publisher still reaches the server is explained (a slow consumer?),
 * unless a health check found the server unreachable first (a partition).
 */
export function createConnectionPair(options: ResolvedRedisOptions, hooks: PairHooks): ConnectionPair {
  let reconnects = 0;
  let bufferLimitKills: number | undefined;
  /** The publisher found the server unreachable while the current subscriber connection was up. */
  let partition: ClustrError | undefined;
  const publisher = new RedisPublisher(options, {
    report: hooks.report,
    down(error) {
      if (isServerUnreachable(error) && subscriber.isUp) partition = error;
      hooks.report(error);
      hooks.changed?.();
    },
    up(client: RedisClient, isReconnect: boolean) {
      if (isReconnect) reconnects++;
      readBufferLimitKills(client).then((kills) => {
        bufferLimitKills = kills;
      });
    },
  });
  const subscriber = new RedisSubscriber(options, {
    deliver: hooks.deliver,
    report: hooks.report,
    reportFrame: hooks.reportFrame,
    up(isReconnect) {
      partition = undefined;
      if (!isReconnect) return;
      reconnects++;
      publisher.release();
    },
    moved: hooks.moved,
    down(error) {
      if (hooks.isClosing()) return;
      hooks.changed?.();
      // Until the own subscriptions are back, what this process publishes waits with the backlog.
      publisher.hold();
      const seen = partition;
      partition = undefined;
      explainSubscriberLoss(publisher.client, bufferLimitKills, error, seen).then(
        ({ error: explained, kills }) => {
          bufferLimitKills = kills ?? bufferLimitKills;
          hooks.report(explained);
        },
      );
    },
  });

  async function open(self: TransportSelf, onOpen: () => void): Promise<void> {
    const name = options.clientName ?? `${options.namespace}:${self.group}:${self.workerId ?? 'master'}`;
    try {
      await Promise.all([publisher.open(name), subscriber.open(name)]);
      publisher.release();
      onOpen();
    } catch (error) {
      await Promise.all([publisher.close(), subscriber.close()]).catch(() => {});
      throw error;
    }
  }

  async function close(isConnected: boolean): Promise<void> {
    if (!isConnected) {
      await Promise.all([publisher.close(), subscriber.close()]);
      return;
    }
    await publisher.close();
    await subscriber.close();
  }

  function stats(): RedisTransportStats {
    const { published, queued, dropped, inFlight, lost } = publisher;
    const { received, missed, badPayloads, forbidden } = subscriber.delivery;
    const { channels } = subscriber;
    return {
      published,
      queued,
      dropped,
      inFlight,
      lost,
      received,
      missed,
      badPayloads,
      forbidden,
      reconnects,
      channels,
    };
  }

  return { publisher, subscriber, open, close, stats };
}
