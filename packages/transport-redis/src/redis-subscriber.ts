import { ClustrError, KILL_CHANNEL_PREFIX, toClustrError } from '@clustr/protocol';
import { type DeliveryHooks, PayloadDelivery } from './payload-delivery.js';
import { type PubSubCommands, pubSubCommands } from './pubsub-commands.js';
import { bounded, type RedisClient, RedisConnection } from './redis-connection.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

type Listener = (message: Buffer) => void;

/** What the subscriber needs from its transport. */
export interface SubscriberHooks extends DeliveryHooks {
  /** The subscriber connection was lost (the transport finds out why). */
  down(error: ClustrError): void;
  /** The subscriber is up, its subscriptions live. */
  up(isReconnect: boolean): void;
  /**
   * Cluster mode: the server ended the subscription to `channel` by itself (its slot moved, the
   * node stopped being its primary); the channel is no longer live here.
   */
  moved?(channel: string): void;
}

/**
 * The subscriber connection and the transport's own registry of subscriptions: one Redis
 * subscription per channel however often it is subscribed (ref-counted), set up again by this
 * class on every fresh connection, one listener per channel so nothing is delivered twice.
 */
export class RedisSubscriber {
  readonly #counts = new Map<string, number>();
  readonly #listeners = new Map<string, Listener>();
  readonly #pending = new Map<string, Promise<void>>();
  /** Channels subscribed on the current client. */
  readonly #live = new Set<string>();
  #upWaiters: (() => void)[] = [];
  #connection: RedisConnection | undefined;
  #isClosed = false;
  /** What arrives on a live channel: checked, counted, delivered. */
  readonly delivery: PayloadDelivery;
  /** Every message that arrived, valid or not: proof for the health check that the server is there. */
  #arrived = 0;
  readonly #options: ResolvedRedisOptions;
  readonly #prefix: string;
  readonly #hooks: SubscriberHooks;
  /** SUBSCRIBE or, in cluster mode, SSUBSCRIBE (and the matching unsubscribe). */
  readonly #commands: PubSubCommands;

  constructor(options: ResolvedRedisOptions, hooks: SubscriberHooks) {
    this.#options = options;
    this.#prefix = `${options.namespace}:`;
    this.#hooks = hooks;
    this.#commands = pubSubCommands(options);
    this.delivery = new PayloadDelivery(options, hooks);
  }

  /** True while the subscriber connection is up. */
  get isUp(): boolean {
    return this.#connection?.isUp ?? false;
  }

  /** Channels with at least one subscriber, for stats and tests. */
  get channels(): string[] {
    return [...this.#counts.keys()];
  }

  /** Opens the connection; resolves when every registered channel is live. */
  async open(name: string): Promise<void> {
    const connection = new RedisConnection('sub', this.#options, name, {
      prepare: (client) => this.#prepare(client),
      up: (_client, isReconnect) => {
        for (const resolve of this.#upWaiters.splice(0)) resolve();
        this.#hooks.up(isReconnect);
      },
      down: (error) => {
        this.#live.clear();
        this.#hooks.down(error);
      },
      error: (error) => this.#hooks.report(error),
      heard: () => this.#arrived,
    });
    this.#connection = connection;
    await connection.open();
  }

  /** Unsubscribes everything (bounded) and closes; pending `subscribe()` calls reject. */
  async close(): Promise<void> {
    this.#isClosed = true;
    for (const resolve of this.#upWaiters.splice(0)) resolve();
    const client = this.#connection?.client;
    if (client && this.#live.size > 0)
      await bounded(this.#commands.unsubscribe(client), this.#options.connectTimeoutMs);
    this.#live.clear();
    await this.#connection?.close();
    this.delivery.close();
  }

  /** Adds a reference to `channel`; resolves when its one Redis subscription is live. */
  async subscribe(channel: string): Promise<void> {
    const count = this.#counts.get(channel) ?? 0;
    this.#counts.set(channel, count + 1);
    if (count > 0) return this.#pending.get(channel);
    const live = this.#makeLive(channel);
    this.#pending.set(channel, live);
    try {
      await live;
    } catch (error) {
      this.#counts.delete(channel);
      throw error;
    } finally {
      if (this.#pending.get(channel) === live) this.#pending.delete(channel);
    }
  }

  /** Drops a reference; the last one ends the Redis subscription. */
  async unsubscribe(channel: string): Promise<void> {
    const count = this.#counts.get(channel);
    if (count === undefined) return;
    if (count > 1) {
      this.#counts.set(channel, count - 1);
      return;
    }
    this.#counts.delete(channel);
    // What is sent to it from now on is not missed: the numbering starts afresh if it comes back.
    this.delivery.forget(channel);
    const wasLive = this.#live.delete(channel);
    const client = this.#connection?.client;
    // A lost connection needs nothing: the next fresh client subscribes the registry only. A
    // SUBSCRIBE still in flight is undone by #dropIfUnregistered when it lands.
    if (client && wasLive) await this.#dropOn(client, channel);
  }

  /** UNSUBSCRIBE with the channel's own listener, so a SUBSCRIBE queued after it still counts. */
  #dropOn(client: RedisClient, channel: string): Promise<void> {
    return this.#commands.unsubscribe(client, this.#prefix + channel, this.#listenerFor(channel)).then(
      () => {},
      () => {},
    );
  }

  /** A channel unsubscribed while its SUBSCRIBE was in flight must not stay subscribed. */
  #dropIfUnregistered(client: RedisClient, channel: string): boolean {
    if (this.#counts.has(channel)) return false;
    void this.#dropOn(client, channel);
    return true;
  }

  async #makeLive(channel: string): Promise<void> {
    for (;;) {
      if (this.#isClosed)
        throw new ClustrError(
          'ERR_CLUSTR_CLOSED',
          `cannot subscribe to "${channel}": the redis transport is closed`,
        );
      if (!this.#counts.has(channel) || this.#live.has(channel)) return;
      const client = this.#connection?.client;
      if (client === undefined) {
        await new Promise<void>((resolve) => this.#upWaiters.push(resolve));
        continue;
      }
      try {
        await this.#commands.subscribe(client, this.#prefix + channel, this.#listenerFor(channel));
        if (this.#dropIfUnregistered(client, channel)) return;
        if (this.#connection?.client === client) this.#live.add(channel);
      } catch (error) {
        if (this.#connection?.client === client)
          throw toClustrError(
            error,
            'ERR_CLUSTR_TRANSPORT',
            `redis SUBSCRIBE ${this.#prefix}${channel} failed`,
          );
      }
    }
  }

  async #prepare(client: RedisClient): Promise<void> {
    this.#live.clear();
    this.#commands.onMoved(client, (redisChannel) => this.#moved(client, redisChannel));
    const channels = [...this.#counts.keys()];
    await Promise.all(
      channels.map((channel) =>
        this.#commands.subscribe(client, this.#prefix + channel, this.#listenerFor(channel)),
      ),
    );
    for (const channel of channels) if (!this.#dropIfUnregistered(client, channel)) this.#live.add(channel);
  }

  /** The server dropped a shard channel (the client already forgot its listener). */
  #moved(client: RedisClient, redisChannel: string): void {
    if (this.#connection?.client !== client || !redisChannel.startsWith(this.#prefix)) return;
    const channel = redisChannel.slice(this.#prefix.length);
    if (this.#live.delete(channel)) this.#hooks.moved?.(channel);
  }

  /**
   * One listener per channel name for the transport's lifetime: the client keeps listeners in a
   * Set, so however a SUBSCRIBE races an UNSUBSCRIBE, a message is never handed over twice.
   */
  #listenerFor(channel: string): Listener {
    let listener = this.#listeners.get(channel);
    if (listener === undefined) {
      const isKill = channel.startsWith(KILL_CHANNEL_PREFIX);
      listener = (message) => this.#receive(channel, message, isKill);
      this.#listeners.set(channel, listener);
    }
    return listener;
  }

  #receive(channel: string, message: Buffer, isKill: boolean): void {
    this.#arrived++;
    if (this.#counts.has(channel)) this.delivery.receive(channel, message, isKill);
  }
}
