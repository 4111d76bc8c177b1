import type { RedisClient } from './redis-connection.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

type Listener = (message: Buffer) => void;

/**
 * The pub/sub commands of a connection: classic (`SUBSCRIBE`, `PUBLISH`, `PUBSUB NUMSUB`) on one
 * server, sharded (`SSUBSCRIBE`, `SPUBLISH`, `PUBSUB SHARDNUMSUB`) in cluster mode, where a
 * channel lives on the shard owning its slot. Messages arrive as Buffers either way.
 */
export interface PubSubCommands {
  subscribe(client: RedisClient, channel: string, listener: Listener): Promise<void>;
  /** Without a channel: every channel of the connection. */
  unsubscribe(client: RedisClient, channel?: string, listener?: Listener): Promise<void>;
  publish(client: RedisClient, channel: string, payload: string): Promise<number>;
  /** The command that counts a channel's subscribers on the server. */
  readonly numsub: readonly string[];
  /** Calls `moved` when the server ends a shard channel's subscription by itself (never, classic). */
  onMoved(client: RedisClient, moved: (channel: string) => void): void;
}

const CLASSIC: PubSubCommands = {
  subscribe: (client, channel, listener) => client.subscribe(channel, listener, true),
  unsubscribe: (client, channel, listener) =>
    channel === undefined ? client.unsubscribe() : client.unsubscribe(channel, listener, true),
  publish: (client, channel, payload) => client.publish(channel, payload),
  numsub: ['PUBSUB', 'NUMSUB'],
  onMoved: () => {},
};

const SHARDED: PubSubCommands = {
  subscribe: (client, channel, listener) => client.sSubscribe(channel, listener, true),
  unsubscribe: (client, channel, listener) =>
    channel === undefined ? client.sUnsubscribe() : client.sUnsubscribe(channel, listener, true),
  publish: (client, channel, payload) => client.sPublish(channel, payload),
  numsub: ['PUBSUB', 'SHARDNUMSUB'],
  // @redis/client turns an `sunsubscribe` push nobody asked for into this event (and drops the
  // channel's listeners): a failover or a slot migration took the channel off this node.
  onMoved: (client, moved) => {
    client.on('sharded-channel-moved', (channel: unknown) => moved(String(channel)));
  },
};

/** The commands for connections made with `options`. */
export function pubSubCommands(options: Pick<ResolvedRedisOptions, 'cluster'>): PubSubCommands {
  return options.cluster === undefined ? CLASSIC : SHARDED;
}
