import {
  type ClustrError,
  type EncodedMeta,
  type Envelope,
  encodeData,
  encodeMeta,
  type JsonData,
  type Transport,
} from '@clustr/protocol';
import {
  assertExitCode,
  assertUserChannel,
  assertWorkerId,
  killChannel,
  PUBLIC_CHANNEL,
  reportToEmitter as reportError,
} from '@clustr/protocol/internal';
import type { SpawnSpec, WorkerHandle } from '@clustr/spawner';
import type { ClusterProcessOptions, ProcessIdentity } from './cluster-process-options.js';
import { emitSafely } from './emit-safely.js';
import type { MessageHandler } from './handler-list.js';
import { obeyKillOrder } from './kill-order.js';
import { leaveCluster } from './leave-cluster.js';
import { DEFAULT_MAX_PENDING_MESSAGES } from './pending-messages.js';
import { ProcessPresence } from './presence-of-process.js';
import { ProcessConnection } from './process-connection.js';
import * as errors from './process-errors.js';
import { ProcessRoutes } from './process-routes.js';
import { ProcessShutdown, type ShutdownSteps } from './process-shutdown.js';
import { isClosing, whenJoined } from './process-state.js';
import { deliversToOne, type PublishOptions } from './request-types.js';
import { Requests } from './requests.js';
import type { ShutdownReason } from './shutdown-types.js';
import { SpawnedChildren } from './spawned-children.js';

export type { ClusterProcessEvents, ClusterProcessOptions, KillOrder } from './cluster-process-options.js';
export { DEFAULT_MAX_PENDING_MESSAGES };

/** What `#checkedChannel` holds before any publish: equal to no argument a caller can pass. */
const NOTHING_CHECKED = Symbol('nothing checked');

/** What masters and workers share: publish, handlers, spawn, kill, lifecycle. */
export abstract class ClusterProcess extends ProcessRoutes {
  /** This process's group (`"master"` for the master). */
  readonly group: string;
  readonly #workerId: string | undefined;
  readonly #meta: EncodedMeta;
  readonly #identity: ProcessIdentity;
  readonly #children = new SpawnedChildren();
  readonly #connection: ProcessConnection;
  /** Whether the caller took charge of a failed join (else it is reported); not a state: it may flip in any. */
  #isReadyAwaited = false;
  /** The last channel `publish` accepted (strings are immutable: equal means valid). */
  #checkedChannel: unknown = NOTHING_CHECKED;
  readonly #ready: Promise<void>;
  protected readonly lifecycle: ProcessShutdown;
  protected readonly presence: ProcessPresence;
  protected readonly requests: Requests;

  protected constructor(identity: ProcessIdentity, options: ClusterProcessOptions) {
    super();
    this.group = identity.group;
    this.#workerId = identity.workerId;
    this.#identity = identity;
    this.#meta = encodeMeta({ workerId: identity.workerId, group: identity.group });
    if (typeof options !== 'object' || options === null) throw errors.invalidOptions(options);
    this.presence = new ProcessPresence(identity, options.presence, {
      transport: () => this.#connection.readyTransport(),
      meta: this.#meta,
      report: (error) => this.report(error),
      isReady: () => this.#connection.state.kind === 'ready',
      serves: () => this.requests.offer(),
    });
    this.route(this.presence.channel, (envelope) => this.presence.receive(envelope));
    this.requests = new Requests(identity.workerId, {
      presence: this.presence,
      send: (channel, dataJson) => this.#send(channel, dataJson),
      report: (error) => this.report(error),
      joined: (operation) => whenJoined(this.#connection.state, this.#ready, operation),
    });
    this.route(this.requests.channel, (envelope) => this.requests.receive(envelope));
    const { oneChannel } = this.requests;
    if (oneChannel !== undefined)
      this.route(oneChannel, (envelope) => this.deliver(this.handlersOf(this.group), envelope));
    this.lifecycle = new ProcessShutdown(options, {
      isShuttingDown: () => isClosing(this.#connection.state),
      stop: (signal) => this.stopAndExit({ kind: 'signal', signal }),
      ...(this.hangUp === undefined ? {} : { hangUp: () => this.hangUp?.() }),
    });
    this.#connection = new ProcessConnection(options, {
      events: this,
      identity,
      meta: this.#meta,
      presence: this.presence,
      routes: this.routes,
      links: () => this.#children.openLinks(),
      channels: () => this.#ownChannels(),
      report: (error) => this.report(error),
    });
    this.#ready = this.#connection.join();
    this.#ready.catch((error: ClustrError) => {
      if (!this.#isReadyAwaited && !isClosing(this.#connection.state)) reportError(this, error);
    });
    this.lifecycle.listen();
  }

  /** This process's workerId; `undefined` for the master. */
  protected get ownWorkerId(): string | undefined {
    return this.#workerId;
  }

  /** The name of the transport in use, once known. */
  get transportName(): string | undefined {
    return this.#connection.state.transport?.name;
  }

  /** The children this process spawned that have not exited for good. */
  get children(): readonly WorkerHandle[] {
    return this.#children.list();
  }

  /** Resolves when this process's subscriptions are live; rejects when it cannot join. */
  ready(): Promise<void> {
    this.#isReadyAwaited = true;
    return this.#ready;
  }

  /**
   * Publishes `data` to `channel`: `"public"`, `"master"`, `"confirmation"`, a group name or a
   * workerId. `data` is anything JSON can carry; it is encoded once, here, so bad data throws
   * in your stack. Messages published before `ready()` are queued, not lost. With
   * `{ deliver: 'one' }` exactly one live member of the group `channel` receives it (round-robin).
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_CHANNEL`, `ERR_CLUSTR_INVALID_DATA`, `ERR_CLUSTR_CLOSED`
   */
  publish<T = unknown>(channel: string, data: T & JsonData<T>, options?: PublishOptions): void {
    if (options !== undefined && deliversToOne(options)) {
      this.requests.publishOne(channel, data);
      return;
    }
    // A burst publishes to the same channel string again and again: check it once.
    if (channel !== this.#checkedChannel) {
      assertUserChannel(channel);
      this.#checkedChannel = channel;
    }
    this.#send(channel, encodeData(data));
  }

  /** Listens to the `public` channel; returns the function that removes the handler. */
  onPublic<T = unknown>(handler: MessageHandler<T>): () => void {
    return this.addHandler(PUBLIC_CHANNEL, handler, 'onPublic');
  }

  /**
   * Tells the process `workerId` to exit with `exitCode` (it closes first). Works from any
   * process to any other, on any transport.
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_WORKER_ID`, `ERR_CLUSTR_INVALID_EXIT_CODE`
   */
  killWorker(workerId: string, exitCode = 0): void {
    assertWorkerId(workerId);
    assertExitCode(exitCode);
    this.#send(killChannel(workerId), String(exitCode));
  }

  /**
   * Starts workers from a list of specs (`file`, optional `cpu`, `command`, `args`, `env`,
   * `cwd`, `restart`, …). The whole list is validated before any child starts; one handle per
   * child comes back at once, with its `workerId`.
   *
   * @typeParam Specs - the list as written, so a literal list comes back as a tuple of handles
   * @throws ClustrError for the first invalid spec; nothing was started then
   */
  spawn<Specs extends readonly unknown[]>(
    specs: readonly [...{ [K in keyof Specs]: SpawnSpec }],
  ): { -readonly [K in keyof Specs]: WorkerHandle } {
    this.#assertOpen('spawn');
    // Before the parent's welcome, the children's welcomes wait for it (they need the descriptor).
    const descriptor = this.#connection.descriptor;
    if (descriptor === undefined) throw errors.cannotSpawn();
    const handles = this.#children.spawn(specs as readonly SpawnSpec[], {
      parentId: this.#workerId ?? 'master',
      descriptor,
      presence: this.presence,
      transport: () => this.#connection.state.transport,
      report: (error) => this.report(error),
    });
    // One handle per spec, in the specs' order: the tuple the signature promises.
    return handles as { -readonly [K in keyof Specs]: WorkerHandle };
  }

  /**
   * Leaves the cluster: stops the children this process spawned (their hooks run first), runs
   * the shutdown hooks, unsubscribes, says goodbye and closes the transport. Afterwards nothing of
   * clustr keeps the event loop alive. Idempotent; a shutdown already under way (a kill order, a
   * signal) is the one every call waits for.
   */
  close(): Promise<void> {
    return this.shutDown({ kind: 'close' });
  }

  /** `await using` support: the same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Obeys a kill order: shuts down, then exits the process with the code. */
  protected obeyKill(envelope: Envelope): void {
    obeyKillOrder(this, envelope, (reason) => this.stopAndExit(reason));
  }

  /** What SIGHUP does when the process handles signals; undefined: a graceful stop. */
  protected hangUp?(): void;

  /**
   * Shuts down for `reason` unless a shutdown is under way (then it is the one waited for).
   * The sequence starts once the state says so: whatever it calls sees a closing process.
   */
  protected shutDown(reason: ShutdownReason): Promise<void> {
    const state = this.#connection.state;
    if (isClosing(state)) return state.done;
    const done = Promise.resolve().then(() => this.lifecycle.run(reason, this.#steps(state.transport)));
    this.#connection.apply({ type: 'close', done, reason });
    return done;
  }

  /** Shuts down for `reason`, then exits the process with its code (0 but for a kill's). */
  protected stopAndExit(reason: ShutdownReason): void {
    this.lifecycle.exitAfter(this.shutDown(reason), reason, (error) => this.report(error));
  }

  /** The channels this process subscribes to, but presence's (which it keeps to the end). */
  #ownChannels(): string[] {
    return [...this.#identity.channels, ...this.requests.channels];
  }

  #send(channel: string, dataJson: string): void {
    if (!this.#connection.send(channel, dataJson)) this.lifecycle.dropped();
  }

  #assertOpen(operation: string): void {
    if (isClosing(this.#connection.state)) throw errors.closedError(operation);
  }

  #steps(transport: Transport | undefined): ShutdownSteps {
    return {
      begin: async (reason) => {
        this.presence.leaving();
        if (reason.kind !== 'reload' || transport === undefined) return;
        const own = this.#identity.ownChannels;
        await Promise.allSettled(own.map((channel) => transport.unsubscribe(channel)));
      },
      answered: () => ({ what: 'requests being answered', done: this.requests.answered() }),
      // Leaves first: the children stop while this process still routes and announces their exits.
      stopChildren: () => this.#children.stopAll(),
      leave: () => this.#connection.apply({ type: 'leave' }),
      depart: (reason) => {
        const state = this.#connection.state;
        return leaveCluster(reason, {
          transport,
          // Only a process that joined has subscriptions to take back.
          channels: state.kind === 'closing' && state.live !== undefined ? this.#ownChannels() : [],
          presence: this.presence,
          requests: this.requests,
          joined: this.#ready,
        });
      },
      finish: () => {
        this.#connection.closed();
        emitSafely(this, 'close');
      },
      report: (error) => this.report(error),
    };
  }
}
