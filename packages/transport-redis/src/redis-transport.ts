import {
  type ChildLink,
  ClustrError,
  type EncodedMeta,
  type Envelope,
  encodeEnvelope,
  isChannelName,
  reportToHandlers,
  type Transport,
  type TransportDescriptor,
  type TransportSelf,
  toClustrError,
} from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import type { RedisClient } from './redis-connection.js';
import { RedisPublisher } from './redis-publisher.js';
import { RedisSubscriber } from './redis-subscriber.js';
import {
  type RedisTransportOptions,
  type ResolvedRedisOptions,
  resolveRedisOptions,
} from './redis-transport-options.js';
import { relayChildFrames } from './relay-child-frames.js';
import { explainSubscriberLoss, readBufferLimitKills } from './slow-consumer.js';

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
  /** Payloads dropped because they were not valid envelopes. */
  readonly badPayloads: number;
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

type ErrorHandler = (error: ClustrError) => void;
type MessageHandler = (channel: string, envelope: Envelope) => void;

/**
 * Creates the transport that meets the cluster on Redis pub/sub: channel `<namespace>:<name>`,
 * payload the envelope JSON. Two connections (publisher, subscriber) with their own reconnect,
 * re-subscription and a bounded queue for what is published while disconnected. Children
 * spawned by this process rebuild it from {@link RedisTransport.describe}.
 *
 * @example
 * import { Master } from 'clustr-node';
 * import { createRedisTransport } from '@clustr/transport-redis';
 *
 * const master = Master.create({
 *   transport: createRedisTransport({ url: 'redis://app:secret@10.0.0.5:6379', namespace: 'shop' }),
 * });
 * await master.ready();
 */
export function createRedisTransport(options: RedisTransportOptions = {}): RedisTransport {
  const resolved = resolveRedisOptions(options);
  const prefix = `${resolved.namespace}:`;
  const messageHandlers = new Set<MessageHandler>();
  const errorHandlers = new Set<ErrorHandler>();
  const links = new Set<() => void>();
  let reconnects = 0;
  let bufferLimitKills: number | undefined;
  let connecting: Promise<void> | undefined;
  let isConnected = false;
  let closing: Promise<void> | undefined;

  function report(error: ClustrError): void {
    reportToHandlers(errorHandlers, error);
  }

  function deliver(channel: string, envelope: Envelope): void {
    for (const handler of messageHandlers) {
      try {
        handler(channel, envelope);
      } catch (error) {
        // A throwing handler must not reach the client's parser, which would drop the stream.
        report(
          toClustrError(error, 'ERR_CLUSTR_TRANSPORT', `a message handler for channel "${channel}" threw`),
        );
      }
    }
  }

  const publisher = new RedisPublisher(resolved, {
    report,
    down: report,
    up(client: RedisClient, isReconnect: boolean) {
      if (isReconnect) reconnects++;
      readBufferLimitKills(client).then((kills) => {
        bufferLimitKills = kills;
      });
    },
  });
  const subscriber = new RedisSubscriber(resolved, {
    deliver,
    report,
    up(isReconnect) {
      if (!isReconnect) return;
      reconnects++;
      publisher.release();
    },
    down(error) {
      if (closing) return;
      // Until the own subscriptions are back, what this process publishes waits with the backlog.
      publisher.hold();
      explainSubscriberLoss(publisher.client, bufferLimitKills, error).then(({ error: explained, kills }) => {
        bufferLimitKills = kills ?? bufferLimitKills;
        report(explained);
      });
    },
  });

  function publishEncoded(channel: string, payload: string): void {
    const max = resolved.maxPayloadBytes;
    // Receivers count UTF-8 bytes; a character is at most 3 of them (a surrogate pair 4 for 2),
    // so only a payload that might be too large is measured.
    if (payload.length * 3 > max) {
      const size = Buffer.byteLength(payload);
      if (size > max) {
        report(
          new ClustrError(
            'ERR_CLUSTR_INVALID_DATA',
            `message of ${size} bytes to channel "${channel}" was not sent: larger than maxPayloadBytes (${max})`,
            { details: { channel, size, maxPayloadBytes: max } },
          ),
        );
        return;
      }
    }
    publisher.publish(prefix + channel, payload);
  }

  function checkChannel(channel: unknown): asserts channel is string {
    if (isChannelName(channel)) return;
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_CHANNEL',
      `channel ${describeValue(channel)} is not a valid channel name`,
      {
        details: { channel },
      },
    );
  }

  async function open(self: TransportSelf): Promise<void> {
    const name = resolved.clientName ?? `${resolved.namespace}:${self.group}:${self.workerId ?? 'master'}`;
    try {
      await Promise.all([publisher.open(name), subscriber.open(name)]);
      publisher.release();
      isConnected = true;
    } catch (error) {
      await Promise.all([publisher.close(), subscriber.close()]).catch(() => {});
      throw error;
    }
  }

  const transport: RedisTransport = {
    name: 'redis',
    connect(self) {
      if (closing)
        return Promise.reject(new ClustrError('ERR_CLUSTR_CLOSED', 'the redis transport is closed'));
      connecting ??= open(self);
      return connecting;
    },
    subscribe(channel) {
      checkChannel(channel);
      if (closing)
        return Promise.reject(
          new ClustrError(
            'ERR_CLUSTR_CLOSED',
            `cannot subscribe to "${channel}": the redis transport is closed`,
          ),
        );
      return subscriber.subscribe(channel);
    },
    unsubscribe(channel) {
      return subscriber.unsubscribe(channel);
    },
    publish(channel: string, meta: EncodedMeta, dataJson: string) {
      if (closing) return;
      publishEncoded(channel, encodeEnvelope(meta.json, dataJson));
    },
    onMessage(handler) {
      messageHandlers.add(handler);
      return () => messageHandlers.delete(handler);
    },
    onError(handler) {
      errorHandlers.add(handler);
      return () => errorHandlers.delete(handler);
    },
    describe(): TransportDescriptor {
      return { name: 'redis', module: import.meta.url, options: describeOptions(resolved) };
    },
    adopt(link: ChildLink) {
      if (closing) return;
      const detach = relayChildFrames(link, { publishEncoded, report }, () => links.delete(detach));
      links.add(detach);
    },
    close() {
      closing ??= (async () => {
        for (const detach of [...links]) detach();
        if (!isConnected) {
          // Still connecting (or never connected): end the attempts now instead of waiting them out.
          await Promise.all([publisher.close(), subscriber.close()]);
          await connecting?.catch(() => {});
          return;
        }
        // The publisher first: its backlog may still wait for the subscriber to come back.
        await publisher.close();
        await subscriber.close();
      })();
      return closing;
    },
    stats() {
      return {
        published: publisher.published,
        queued: publisher.queued,
        dropped: publisher.dropped,
        inFlight: publisher.inFlight,
        lost: publisher.lost,
        received: subscriber.received,
        badPayloads: subscriber.badPayloads,
        reconnects,
        channels: subscriber.channels,
      };
    },
    [Symbol.asyncDispose]() {
      return transport.close();
    },
  };
  return transport;
}

/**
 * What a child needs to rebuild the transport: every resolved option but the client name (a
 * child's connections are named after the child). JSON only: it travels in the environment.
 */
function describeOptions(resolved: ResolvedRedisOptions): Record<string, unknown> {
  const { clientName: _parentName, tls, ...rest } = resolved;
  return tls === undefined ? { ...rest } : { ...rest, tls: { ...tls } };
}

/**
 * Rebuilds the transport in a spawned child from its parent's {@link RedisTransport.describe}
 * options. The child's connections are named after the child, not the parent.
 *
 * @example
 * const { module, options } = JSON.parse(process.env.CLUSTR_TRANSPORT!);
 * const transport = (await import(module)).restoreTransport(options);
 */
export function restoreTransport(options: Readonly<Record<string, unknown>>): RedisTransport {
  return createRedisTransport(options as RedisTransportOptions);
}
