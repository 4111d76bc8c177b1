import { ClustrError, toClustrError } from '@clustr/protocol';
import { waitForAudience } from './audience.js';
import { type AudienceLog, canRunScripts, sendPublishes } from './publish-batch.js';
import { type RedisClient, RedisConnection } from './redis-connection.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/** What the publisher needs from its transport. */
export interface PublisherHooks {
  report(error: ClustrError): void;
  down(error: ClustrError): void;
  up(client: RedisClient, isReconnect: boolean): void;
}

/**
 * The publisher connection and the bounded queue of what was published while it was down.
 * The queue goes out, in order, in the same turn the connection comes up and before anything
 * published later: a publish never overtakes the backlog.
 */
export class RedisPublisher {
  /** Flat `[key, payload, key, payload, …]`: no object per queued message. */
  readonly #queue: string[] = [];
  /** What was published in this event-loop turn, sent together at its end (same flat layout). */
  #turn: string[] = [];
  #isTurnScheduled = false;
  /** Whether this connection may run the batch script; probed at every (re)connect. */
  #canBatch = false;
  /** How many subscribers the last PUBLISH to each channel reached. */
  readonly #audience: AudienceLog = new Map();
  /** The backlog is waiting for its receivers to resubscribe after a reconnect. */
  #isWaitingForAudience = false;
  #connection: RedisConnection | undefined;
  #isOverflowing = false;
  /** Until released, even a connected publisher queues: the first backlog waits for the subscriber. */
  #isHeld = true;
  #wasReleased = false;
  #isLossReported = false;
  #flushWaiters: (() => void)[] = [];
  /** PUBLISH commands sent. */
  published = 0;
  /** Messages refused by the full queue or unsent at close. */
  dropped = 0;
  /** PUBLISH commands in flight on a connection that broke. */
  lost = 0;
  readonly #options: ResolvedRedisOptions;
  readonly #hooks: PublisherHooks;
  readonly #onFailed = (count: number, error: unknown) => {
    this.lost += count;
    if (this.#isLossReported) return;
    this.#isLossReported = true;
    this.#hooks.report(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'a redis PUBLISH in flight was lost'));
  };

  constructor(options: ResolvedRedisOptions, hooks: PublisherHooks) {
    this.#options = options;
    this.#hooks = hooks;
  }

  /** Messages waiting for the connection. */
  get queued(): number {
    return this.#queue.length / 2;
  }

  /** The client while the connection is up. */
  get client(): RedisClient | undefined {
    return this.#connection?.client;
  }

  /** Opens the connection; the queue stays held until {@link RedisPublisher.release}. */
  async open(name: string): Promise<void> {
    const connection = new RedisConnection('pub', this.#options, name, {
      prepare: async (client) => {
        this.#canBatch = await canRunScripts(client);
      },
      up: (client, isReconnect) => {
        this.#isLossReported = false;
        if (!this.#isHeld) this.#flush(client);
        this.#hooks.up(client, isReconnect);
      },
      down: (error) => this.#hooks.down(error),
      error: (error) => this.#hooks.report(error),
    });
    this.#connection = connection;
    await connection.open();
  }

  /** Queues even while connected: the own subscriber is down, so the backlog waits for it. */
  hold(): void {
    this.#isHeld = true;
  }

  /** Lets the queue out once the whole transport is connected (its own subscriptions live). */
  release(): void {
    this.#isHeld = false;
    this.#wasReleased = true;
    const client = this.#connection?.client;
    if (client !== undefined) this.#flush(client);
  }

  /** Sends at once when connected, released and nothing is queued; queues (bounded) otherwise. */
  publish(key: string, payload: string): void {
    const client = this.#connection?.client;
    if (client !== undefined && this.#queue.length === 0 && !this.#isHeld) {
      this.published++;
      this.#turn.push(key, payload);
      if (!this.#isTurnScheduled) {
        this.#isTurnScheduled = true;
        queueMicrotask(this.#sendTurn);
      }
      return;
    }
    if (this.#queue.length >= this.#options.maxQueuedMessages * 2) {
      this.dropped++;
      if (this.#isOverflowing) return;
      this.#isOverflowing = true;
      this.#hooks.report(
        new ClustrError(
          'ERR_CLUSTR_QUEUE_FULL',
          `the redis publisher is disconnected and ${this.#options.maxQueuedMessages} messages are queued (maxQueuedMessages): later messages are dropped until it reconnects`,
          { details: { maxQueuedMessages: this.#options.maxQueuedMessages, channel: key } },
        ),
      );
      return;
    }
    this.#queue.push(key, payload);
  }

  /** Sends what is queued, waiting up to the connect timeout for the connection; then closes. */
  async close(): Promise<void> {
    // This turn's publishes go out before the closing PING, so its answer covers them too.
    this.#sendTurn();
    if (this.#queue.length > 0 && this.#wasReleased) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#flushWaiters.push(resolve);
        timer = setTimeout(resolve, this.#options.connectTimeoutMs);
      });
      clearTimeout(timer);
    }
    if (this.#queue.length > 0) {
      this.dropped += this.queued;
      this.#hooks.report(
        new ClustrError(
          'ERR_CLUSTR_TRANSPORT',
          `closed the redis transport with ${this.queued} unsent messages: the publisher stayed disconnected`,
        ),
      );
      this.#queue.length = 0;
    }
    await this.#connection?.close();
  }

  /** Sends this turn's publishes at the end of the turn: together, in order. */
  readonly #sendTurn = (): void => {
    this.#isTurnScheduled = false;
    const turn = this.#turn;
    if (turn.length === 0) return;
    this.#turn = [];
    const client = this.#connection?.client;
    // A turn ends before any I/O callback can take the connection down; this is only a guard.
    if (client === undefined) {
      this.published -= turn.length / 2;
      this.#queue.unshift(...turn);
      return;
    }
    sendPublishes(client, turn, this.#canBatch, this.#audience, this.#onFailed);
  };

  /**
   * Sends the backlog, in order, before anything newer (which queues behind it meanwhile) — once
   * the channels it goes to have their subscribers back, or after the grace period.
   */
  #flush(client: RedisClient): void {
    if (this.#queue.length === 0) {
      this.#isOverflowing = false;
      for (const resolve of this.#flushWaiters.splice(0)) resolve();
      return;
    }
    if (this.#isWaitingForAudience) return;
    this.#isWaitingForAudience = true;
    const channels = new Set<string>();
    for (let i = 0; i < this.#queue.length; i += 2) channels.add(this.#queue[i]!);
    const isStale = () => this.#connection?.client !== client || this.#isHeld;
    void waitForAudience(
      client,
      [...channels],
      this.#audience,
      this.#options.resubscribeGraceMs,
      isStale,
    ).then(() => {
      this.#isWaitingForAudience = false;
      if (isStale()) {
        // A newer connection came up while this one waited: its flush starts over.
        const current = this.#connection?.client;
        if (current !== undefined && !this.#isHeld) this.#flush(current);
        return;
      }
      const backlog = this.#queue.splice(0);
      this.published += backlog.length / 2;
      sendPublishes(client, backlog, this.#canBatch, this.#audience, this.#onFailed);
      this.#isOverflowing = false;
      for (const resolve of this.#flushWaiters.splice(0)) resolve();
    });
  }
}
