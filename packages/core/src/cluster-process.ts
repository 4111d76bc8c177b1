import {
  type ClustrError,
  type EncodedMeta,
  type Envelope,
  encodeData,
  encodeMeta,
  type JsonData,
  type Transport,
  type TransportDescriptor,
  toClustrError,
} from '@clustr/protocol';
import {
  assertExitCode,
  assertUserChannel,
  assertWorkerId,
  killChannel,
  PUBLIC_CHANNEL,
  reportToEmitter as reportError,
} from '@clustr/protocol/internal';
import { type SpawnSpec, spawnWorkers, type WorkerHandle } from '@clustr/spawner';
import { ClusterMember } from './cluster-member.js';
import type { ClusterProcessOptions, ProcessIdentity } from './cluster-process-options.js';
import { emitSafely } from './emit-safely.js';
import type { HandlerList, MessageHandler } from './handler-list.js';
import { isExitCode, obeyKillOrder } from './kill-order.js';
import { ParentHold } from './parent-hold.js';
import { DEFAULT_MAX_PENDING_MESSAGES } from './pending-messages.js';
import { ProcessPresence } from './presence-of-process.js';
import * as errors from './process-errors.js';
import {
  initialProcessState,
  isClosing,
  nextProcessState,
  type ProcessEvent,
  type ProcessState,
  whenJoined,
} from './process-state.js';
import { deliversToOne, type PublishOptions } from './request-types.js';
import { Requests } from './requests.js';
import { assertTransport, chooseTransport, restoreTransport } from './resolve-transport.js';
import { sendInState } from './send-in-state.js';
import { SpawnedChildren } from './spawned-children.js';

export type { ClusterProcessEvents, ClusterProcessOptions, KillOrder } from './cluster-process-options.js';
export { DEFAULT_MAX_PENDING_MESSAGES };

type Dispatch = (envelope: Envelope) => void;

/** What `#checkedChannel` holds before any publish: equal to no argument a caller can pass. */
const NOTHING_CHECKED = Symbol('nothing checked');

/** What masters and workers share: publish, handlers, spawn, kill, lifecycle. */
export abstract class ClusterProcess extends ClusterMember {
  /** This process's group (`"master"` for the master). */
  readonly group: string;
  readonly #workerId: string | undefined;
  readonly #meta: EncodedMeta;
  readonly #identity: ProcessIdentity;
  readonly #dispatch = new Map<string, Dispatch>();
  readonly #children = new SpawnedChildren();
  #state: ProcessState;
  /** The parent's transport, as its welcome describes it (this process rebuilds it). */
  #inherited: Promise<TransportDescriptor> | undefined;
  /** Whether the caller took charge of a failed join (else it is reported); not a state: it may flip in any. */
  #isReadyAwaited = false;
  /** The last channel `publish` accepted (strings are immutable: equal means valid). */
  #checkedChannel: unknown = NOTHING_CHECKED;
  readonly #ready: Promise<void>;
  readonly #parentHold: ParentHold;
  protected readonly presence: ProcessPresence;
  protected readonly requests: Requests;

  protected constructor(identity: ProcessIdentity, options: ClusterProcessOptions) {
    super();
    this.group = identity.group;
    this.#workerId = identity.workerId;
    this.#identity = identity;
    this.#meta = encodeMeta({ workerId: identity.workerId, group: identity.group });
    if (typeof options !== 'object' || options === null) throw errors.invalidOptions(options);
    const { parent } = identity;
    this.presence = new ProcessPresence(identity, options.presence, {
      transport: () => (this.#state.kind === 'ready' ? this.#state.transport : undefined),
      meta: this.#meta,
      report: (error) => this.#report(error),
      isReady: () => this.#state.kind === 'ready',
      serves: () => this.requests.offer(),
    });
    this.route(this.presence.channel, (envelope) => this.presence.receive(envelope));
    this.requests = new Requests(identity.workerId, {
      presence: this.presence,
      send: (channel, dataJson) => this.#send(channel, dataJson),
      report: (error) => this.#report(error),
      joined: (operation) => whenJoined(this.#state, this.#ready, operation),
    });
    this.route(this.requests.channel, (envelope) => this.requests.receive(envelope));
    const { oneChannel } = this.requests;
    if (oneChannel !== undefined)
      this.route(oneChannel, (envelope) => this.deliver(this.handlersOf(this.group), envelope));
    const chosen = chooseTransport(options, parent);
    this.#inherited = chosen.inherited;
    this.#state = initialProcessState(chosen.given === undefined ? undefined : this.#listen(chosen.given));
    // A spawned worker stays alive while it is in the cluster, whatever else it does.
    this.#parentHold = new ParentHold(parent);
    this.#parentHold.set(true);
    this.#ready = this.#start().catch((error: unknown) => {
      const reason = toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'joining the cluster failed');
      this.#apply({ type: 'failed', reason });
      // Not in the cluster: nothing of clustr keeps the process alive any more.
      this.#parentHold.set(false);
      throw reason;
    });
    this.#ready.catch((error: ClustrError) => {
      if (!this.#isReadyAwaited && !isClosing(this.#state)) reportError(this, error);
    });
  }

  /** This process's workerId; `undefined` for the master. */
  protected get ownWorkerId(): string | undefined {
    return this.#workerId;
  }

  /** The name of the transport in use, once known. */
  get transportName(): string | undefined {
    return this.#state.transport?.name;
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
    const descriptor = this.#state.transport?.describe() ?? this.#inherited;
    if (descriptor === undefined) throw errors.cannotSpawn();
    const handles = spawnWorkers(specs, {
      parentId: this.#workerId ?? 'master',
      transport: descriptor,
      handDown: this.presence.handDown(),
      adopt: (link, handle) => {
        this.#children.adopted(handle, link);
        this.#state.transport?.adopt(link);
      },
    });
    this.#children.add(handles, (error) => this.#report(error));
    this.presence.spawned(specs as readonly SpawnSpec[], handles);
    // One handle per spec, in the specs' order: the tuple the signature promises.
    return handles as { -readonly [K in keyof Specs]: WorkerHandle };
  }

  /**
   * Leaves the cluster: flushes queued messages, unsubscribes, closes the transport and stops
   * the children this process spawned. Afterwards nothing of clustr keeps the event loop alive.
   * Idempotent.
   */
  close(): Promise<void> {
    const state = this.#state;
    if (isClosing(state)) return state.done;
    const done = this.#shutdown(state.transport);
    this.#apply({ type: 'close', done });
    return done;
  }

  /** `await using` support: the same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Registers a handler for messages on `channel`. */
  protected addHandler<T>(channel: string, handler: MessageHandler<T>, method: string): () => void {
    if (typeof handler !== 'function') throw errors.invalidHandler(method, handler);
    return this.handlersOf(channel).add(handler as MessageHandler);
  }

  /** The handler list of one of this process's own channels. */
  protected abstract handlersOf(channel: string): HandlerList;

  /** Routes every message on `channel` to `dispatch`. */
  protected route(channel: string, dispatch: Dispatch): void {
    this.#dispatch.set(channel, dispatch);
  }

  /** Delivers to a handler list and reports what the handlers threw. */
  protected deliver(list: HandlerList, envelope: Envelope): void {
    const errors = list.deliver(envelope);
    if (errors !== undefined) this.reportHandlerErrors(errors);
  }

  /** Reports errors user handlers threw, without stopping delivery. */
  protected reportHandlerErrors(errors: unknown[]): void {
    for (const error of errors) {
      this.#report(toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', 'a message handler threw'));
    }
  }

  /** Reports an error as an `error` event (or a warning), and counts it for presence. */
  #report(error: ClustrError): void {
    this.presence.counters.errors++;
    reportError(this, error);
  }

  /** Obeys a kill order: closes, then exits the process with the code. */
  protected obeyKill(envelope: Envelope): void {
    // Before the close starts: its goodbye says the exit its parent is about to see.
    if (isExitCode(envelope.data)) this.presence.killed(envelope.data);
    obeyKillOrder(this, envelope);
  }

  #apply(event: ProcessEvent): ProcessState {
    this.#state = nextProcessState(this.#state, event);
    return this.#state;
  }

  /** Checks a transport and listens to it; returns it. */
  #listen(transport: unknown): Transport {
    assertTransport(transport);
    const counters = this.presence.counters;
    transport.onMessage((channel, envelope) => {
      counters.messagesIn++;
      this.#dispatch.get(channel)?.(envelope);
    });
    transport.onError((error) => this.#report(error));
    return transport;
  }

  async #start(): Promise<void> {
    let transport = this.#state.transport;
    if (transport === undefined) {
      const inherited = this.#inherited;
      const parent = this.#identity.parent;
      if (inherited === undefined || parent === undefined) throw errors.noTransport();
      const restored = await restoreTransport(await inherited, parent.link);
      if (this.#apply({ type: 'restored', transport: restored }).transport !== restored) {
        // close() came first: it could not close what did not exist yet.
        await restored.close();
        throw errors.closedBeforeJoining();
      }
      transport = this.#listen(restored);
    }
    for (const link of this.#children.openLinks()) transport.adopt(link);
    await transport.connect({ workerId: this.#workerId, group: this.group });
    const channels = [...this.#identity.channels, this.presence.channel, ...this.requests.channels];
    await Promise.all(channels.map((channel) => transport.subscribe(channel)));
    const joining = this.#state;
    // close() came while subscribing and the transport still answered: it stays closing.
    if (this.#apply({ type: 'joined' }).kind !== 'ready') throw errors.closedBeforeJoining();
    const pending = joining.kind === 'joining' ? joining.pending : [];
    for (const [channel, dataJson] of pending) transport.publish(channel, this.#meta, dataJson);
    const { parent } = this.#identity;
    if (parent !== undefined) {
      this.presence.welcomed(await parent.welcome.catch(() => undefined));
      parent.link.signalReady();
    }
    this.presence.start();
    emitSafely(this, 'ready');
  }

  #send(channel: string, dataJson: string): void {
    sendInState(this.#state, this.#meta, this.presence.counters, channel, dataJson);
  }

  #assertOpen(operation: string): void {
    if (isClosing(this.#state)) throw errors.closedError(operation);
  }

  async #shutdown(transport: Transport | undefined): Promise<void> {
    try {
      // Leaves first: the children stop while this process can still announce their exits;
      // then its goodbye, while the transport still carries it; then the transport, whose close
      // also ends a connect still in progress.
      await this.#children.stopAll();
      this.presence.stop();
      this.requests.close();
      await transport?.close();
      await this.#ready.catch(() => undefined);
    } finally {
      await this.#children.stopAll();
      this.#parentHold.set(false);
      this.#apply({ type: 'closed' });
      emitSafely(this, 'close');
    }
  }
}
