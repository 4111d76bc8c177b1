import { ClustrError, toClustrError } from '@clustr/protocol';
import { waitForAudience } from './audience.js';
import { AudienceLog } from './audience-log.js';
import { buildPayloads, type PayloadFraming } from './build-payloads.js';
import { Episodes } from './episodes.js';
import { createFrameSigner } from './frame-signature.js';
import { isServerUnreachable } from './health-check.js';
import { canRunScripts, type PublishOutcome, type SendMode, sendPublishes } from './publish-batch.js';
import {
  INITIAL_PUBLISHER_STATE,
  isReleased,
  nextPublisherState,
  type PublisherState,
  wasEverReleased,
} from './publisher-state.js';
import { pubSubCommands } from './pubsub-commands.js';
import { type RedisClient, RedisConnection } from './redis-connection.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';
import { createSenderNumbering } from './sender-numbering.js';

/** Strings per queued message: its Redis channel, its meta's JSON and its data's JSON. */
const STRIDE = 3;

/** What the publisher needs from its transport. */
export interface PublisherHooks {
  report(error: ClustrError): void;
  down(error: ClustrError): void;
  up(client: RedisClient, isReconnect: boolean): void;
}

/**
 * The publisher connection and the bounded queue of what was published while it was down.
 * The queue goes out, in order, in the same turn the connection comes up and before anything
 * published later: a publish never overtakes the backlog. While connected, what waits for the
 * server's replies is bounded too, so a server that stalls without disconnecting cannot make the
 * client's command queue grow without limit.
 */
export class RedisPublisher {
  /** Flat `[key, metaJson, dataJson, key, …]`: no object per queued message. */
  #queue: string[] = [];
  /** What was published in this event-loop turn, sent together at its end (same flat layout). */
  #turn: string[] = [];
  /**
   * Whether this connection may run the batch script (probed at every (re)connect; never in
   * cluster mode), and the pub/sub commands (sharded in cluster mode).
   */
  #mode: SendMode;
  /** How payloads are framed: signed, numbered, split. */
  readonly #framing: PayloadFraming;
  /** How many subscribers the last PUBLISH to each channel reached (bounded). */
  readonly #audience = new AudienceLog();
  /** The backlog's wait for its receivers to resubscribe after a reconnect, while it lasts. */
  #audienceWait: Promise<void> | undefined;
  #connection: RedisConnection | undefined;
  /** Messages sent whose command the server has not answered yet. */
  #inFlight = 0;
  /** Messages settled (answered, or failed): a reply proves the server is there. */
  #settled = 0;
  /** Troubles reported once per episode: a full queue, too many in flight, a lost PUBLISH. */
  readonly #episodes = new Episodes();
  /** Until released, even a connected publisher queues: the first backlog waits for the subscriber. */
  #gate: PublisherState = INITIAL_PUBLISHER_STATE;
  #flushWaiters: (() => void)[] = [];
  /** PUBLISH commands sent. */
  published = 0;
  /** Messages refused by the full queue, by too many in flight, or unsent at close. */
  dropped = 0;
  /** PUBLISH commands in flight on a connection that broke. */
  lost = 0;
  /** Why the connection was last lost, while it is down: what its lost PUBLISHes are reported with. */
  #lostWith: string | undefined;
  readonly #options: ResolvedRedisOptions;
  readonly #hooks: PublisherHooks;
  readonly #outcome: PublishOutcome = {
    audience: this.#audience,
    replied: (count) => this.#settle(count),
    failed: (count, error) => {
      this.#settle(count);
      this.lost += count;
      if (!this.#episodes.begin('loss')) return;
      const what =
        this.#lostWith === undefined
          ? 'a redis PUBLISH in flight was lost'
          : `redis PUBLISH commands in flight were lost with the publisher connection (${this.#lostWith}; at-most-once: not sent again, counted in stats().lost)`;
      this.#hooks.report(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', what));
    },
  };

  constructor(options: ResolvedRedisOptions, hooks: PublisherHooks) {
    this.#options = options;
    this.#hooks = hooks;
    const { secret, maxBatchBytes } = options;
    const signer = secret === undefined ? undefined : createFrameSigner(secret);
    this.#framing = { signer, numbering: createSenderNumbering(), maxBatchBytes };
    this.#mode = { canBatch: false, commands: pubSubCommands(options) };
  }

  /** Channels whose audience is remembered, for tests of its bound. */
  get audienceSize(): number {
    return this.#audience.size;
  }

  /** Messages waiting for the connection. */
  get queued(): number {
    return this.#queue.length / STRIDE;
  }

  /** Messages sent and not yet answered by the server. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The client while the connection is up. */
  get client(): RedisClient | undefined {
    return this.#connection?.client;
  }

  /** Opens the connection; the queue stays held until {@link RedisPublisher.release}. */
  async open(name: string): Promise<void> {
    const connection = new RedisConnection('pub', this.#options, name, {
      prepare: async (client) => {
        const canBatch = this.#options.cluster === undefined && (await canRunScripts(client));
        this.#mode = { ...this.#mode, canBatch };
      },
      up: (client, isReconnect) => {
        this.#episodes.end('loss');
        this.#lostWith = undefined;
        if (isReleased(this.#gate)) this.#flush(client);
        this.#hooks.up(client, isReconnect);
      },
      down: (error) => {
        this.#lostWith = isServerUnreachable(error) ? 'the server was unreachable' : 'the connection broke';
        this.#hooks.down(error);
      },
      error: (error) => this.#hooks.report(error),
      heard: () => this.#settled,
    });
    this.#connection = connection;
    await connection.open();
  }

  /** Queues even while connected: the own subscriber is down, so the backlog waits for it. */
  hold(): void {
    this.#gate = nextPublisherState(this.#gate, { type: 'hold' });
  }

  /** Lets the queue out once the whole transport is connected (its own subscriptions live). */
  release(): void {
    this.#gate = nextPublisherState(this.#gate, { type: 'release' });
    const client = this.#connection?.client;
    if (client !== undefined) this.#flush(client);
  }

  /**
   * Sends at the end of the turn when connected, released and nothing is queued — unless too
   * many messages (those in flight plus this turn's) wait for the server; queues (bounded) otherwise.
   */
  publish(key: string, metaJson: string, dataJson: string): void {
    const client = this.#connection?.client;
    if (client !== undefined && this.#queue.length === 0 && isReleased(this.#gate)) {
      if (this.#inFlight + this.#turn.length / STRIDE >= this.#options.maxInFlightMessages) {
        this.#refuseInFlight(key);
        return;
      }
      this.published++;
      // The first message of a turn schedules the send at the turn's end.
      if (this.#turn.length === 0) queueMicrotask(this.#sendTurn);
      this.#turn.push(key, metaJson, dataJson);
      return;
    }
    if (this.#queue.length >= this.#options.maxQueuedMessages * STRIDE) {
      this.dropped++;
      if (!this.#episodes.begin('queue-full')) return;
      this.#hooks.report(
        new ClustrError(
          'ERR_CLUSTR_QUEUE_FULL',
          `the redis publisher is disconnected and ${this.#options.maxQueuedMessages} messages are queued (maxQueuedMessages): later messages are dropped until it reconnects`,
          { details: { maxQueuedMessages: this.#options.maxQueuedMessages, channel: key } },
        ),
      );
      return;
    }
    this.#queue.push(key, metaJson, dataJson);
  }

  /**
   * Cluster mode: hands what is queued for the channels `isMoving` picks (their slot has a new
   * owner) to `target`, in order and before anything newer, with how many subscribers each last
   * reached, so the target's backlog waits for them to resubscribe there.
   */
  moveQueuedTo(target: RedisPublisher, isMoving: (key: string) => boolean): void {
    const kept: string[] = [];
    const queue = this.#queue;
    for (let i = 0; i < queue.length; i += STRIDE) {
      const key = queue[i]!;
      if (!isMoving(key)) {
        kept.push(key, queue[i + 1]!, queue[i + 2]!);
        continue;
      }
      const reached = this.#audience.get(key);
      if (reached > target.#audience.get(key)) target.#audience.set(key, reached);
      target.publish(key, queue[i + 1]!, queue[i + 2]!);
    }
    this.#queue = kept;
    if (kept.length === 0) this.#flushed();
  }

  /** Sends what is queued, waiting up to the connect timeout for the connection; then closes. */
  async close(): Promise<void> {
    // This turn's publishes go out before the closing PING, so its answer covers them too.
    this.#sendTurn();
    if (this.#queue.length > 0 && wasEverReleased(this.#gate)) {
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
    const turn = this.#turn;
    if (turn.length === 0) return;
    this.#turn = [];
    const client = this.#connection?.client;
    // A turn ends before any I/O callback can take the connection down; this is only a guard.
    if (client === undefined) {
      this.published -= turn.length / STRIDE;
      // concat, not unshift(...turn): spreading a huge turn as arguments would throw a RangeError.
      this.#queue = turn.concat(this.#queue);
      return;
    }
    this.#inFlight += turn.length / STRIDE;
    this.#send(client, turn);
  };

  /**
   * Frames `messages` (flat `[channel, metaJson, dataJson, …]`) into payloads per channel — signed
   * and stamped now, as they leave, so a backlog held through an outage is not stale on
   * arrival — and sends them.
   */
  #send(client: RedisClient, messages: readonly string[]): void {
    sendPublishes(client, buildPayloads(messages, this.#framing, Date.now()), this.#mode, this.#outcome);
  }

  /** Counts messages answered or failed; the in-flight episode ends below half the bound. */
  #settle(count: number): void {
    this.#inFlight -= count;
    this.#settled += count;
    if (this.#inFlight < this.#options.maxInFlightMessages / 2) this.#episodes.end('in-flight-full');
  }

  /** Drops a message while too many wait for the server: counted, reported once per episode. */
  #refuseInFlight(key: string): void {
    this.dropped++;
    if (!this.#episodes.begin('in-flight-full')) return;
    const { maxInFlightMessages } = this.#options;
    this.#hooks.report(
      new ClustrError(
        'ERR_CLUSTR_QUEUE_FULL',
        `${maxInFlightMessages} messages wait for redis to answer (maxInFlightMessages): the server is slow or stalled, later messages are dropped while that many wait`,
        { details: { maxInFlightMessages, inFlight: this.#inFlight, channel: key } },
      ),
    );
  }

  /**
   * Sends the backlog, in order, before anything newer (which queues behind it meanwhile) — once
   * the channels it goes to have their subscribers back, or after the grace period.
   */
  #flush(client: RedisClient): void {
    if (this.#queue.length === 0) {
      this.#flushed();
      return;
    }
    this.#audienceWait ??= this.#waitForAudience(client);
  }

  /** Waits (bounded) for the backlog's receivers, then sends it unless a newer connection took over. */
  async #waitForAudience(client: RedisClient): Promise<void> {
    const channels = new Set<string>();
    for (let i = 0; i < this.#queue.length; i += STRIDE) channels.add(this.#queue[i]!);
    const isStale = () => this.#connection?.client !== client || !isReleased(this.#gate);
    const { resubscribeGraceMs } = this.#options;
    const { numsub } = this.#mode.commands;
    await waitForAudience(client, numsub, [...channels], this.#audience, resubscribeGraceMs, isStale);
    this.#audienceWait = undefined;
    if (isStale()) {
      // A newer connection came up while this one waited: its flush starts over.
      const current = this.#connection?.client;
      if (current !== undefined && isReleased(this.#gate)) this.#flush(current);
      return;
    }
    const backlog = this.#queue;
    this.#queue = [];
    this.published += backlog.length / STRIDE;
    this.#inFlight += backlog.length / STRIDE;
    this.#send(client, backlog);
    this.#flushed();
  }

  /** The backlog is out: the queue-full episode is over and close() may go on. */
  #flushed(): void {
    this.#episodes.end('queue-full');
    for (const resolve of this.#flushWaiters.splice(0)) resolve();
  }
}
