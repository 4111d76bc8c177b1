import { EventEmitter } from 'node:events';
import {
  type ChildLink,
  ClustrError,
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
  describeValue,
  killChannel,
  PUBLIC_CHANNEL,
  reportToEmitter as reportError,
} from '@clustr/protocol/internal';
import { type ParentConnection, type SpawnSpec, spawnWorkers, type WorkerHandle } from '@clustr/spawner';
import type { ClusterProcessEvents, ClusterProcessOptions } from './cluster-process-options.js';
import type { HandlerList, MessageHandler } from './handler-list.js';
import { assertTransport, restoreTransport } from './resolve-transport.js';

export type { ClusterProcessEvents, ClusterProcessOptions, KillOrder } from './cluster-process-options.js';

type Dispatch = (envelope: Envelope) => void;

/**
 * Most messages a process queues before `ready()`; past it `publish` throws
 * `ERR_CLUSTR_QUEUE_FULL` rather than buffer without bound.
 * @default 100000
 */
export const DEFAULT_MAX_PENDING_MESSAGES = 100_000;

/** What `#checkedChannel` holds before any publish: equal to no argument a caller can pass. */
const NOTHING_CHECKED = Symbol('nothing checked');

interface Identity {
  readonly workerId: string | undefined;
  readonly group: string;
  readonly channels: readonly string[];
  /** The parent that spawned this process, when clustr did. */
  readonly parent: ParentConnection | undefined;
}

/** What masters and workers share: publish, handlers, spawn, kill, lifecycle. */
export abstract class ClusterProcess extends EventEmitter<ClusterProcessEvents> {
  /** This process's group (`"master"` for the master). */
  readonly group: string;
  readonly #workerId: string | undefined;
  readonly #meta: EncodedMeta;
  readonly #identity: Identity;
  readonly #dispatch = new Map<string, Dispatch>();
  readonly #children = new Set<WorkerHandle>();
  /** The latest link of each child, for a transport restored after the child started. */
  readonly #childLinks = new Map<WorkerHandle, ChildLink>();
  #transport: Transport | undefined;
  /** The parent's transport, as its welcome describes it (this process rebuilds it). */
  #inherited: Promise<TransportDescriptor> | undefined;
  #pending: [channel: string, dataJson: string][] | undefined = [];
  #isReadyAwaited = false;
  /** The last channel `publish` accepted (strings are immutable: equal means valid). */
  #checkedChannel: unknown = NOTHING_CHECKED;
  /** Why this process could not join the cluster, once `ready()` has failed. */
  #failure: ClustrError | undefined;
  readonly #ready: Promise<void>;
  #closing: Promise<void> | undefined;

  protected constructor(identity: Identity, options: ClusterProcessOptions) {
    super();
    this.group = identity.group;
    this.#workerId = identity.workerId;
    this.#identity = identity;
    this.#meta = encodeMeta({ workerId: identity.workerId, group: identity.group });
    if (typeof options !== 'object' || options === null) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `options ${describeValue(options)} are not valid (an object)`,
      );
    }
    const { parent } = identity;
    if (options.transport !== undefined) this.#useTransport(options.transport);
    else if (parent !== undefined) this.#inherited = parent.welcome.then((welcome) => welcome.transport);
    else if (typeof options.defaultTransport === 'function') this.#useTransport(options.defaultTransport());
    else if (options.defaultTransport !== undefined) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `defaultTransport ${describeValue(options.defaultTransport)} is not valid (a function returning a transport)`,
      );
    }
    // A spawned worker stays alive while it is in the cluster, whatever else it does.
    parent?.link.ref();
    this.#ready = this.#start().catch((error: unknown) => {
      this.#failure = toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'joining the cluster failed');
      this.#pending = undefined;
      throw this.#failure;
    });
    this.#ready.catch((error: ClustrError) => {
      if (!this.#isReadyAwaited && this.#closing === undefined) reportError(this, error);
    });
  }

  /** This process's workerId; `undefined` for the master. */
  protected get ownWorkerId(): string | undefined {
    return this.#workerId;
  }

  /** The name of the transport in use, once known. */
  get transportName(): string | undefined {
    return this.#transport?.name;
  }

  /** The children this process spawned that have not exited for good. */
  get children(): readonly WorkerHandle[] {
    return [...this.#children];
  }

  /** Resolves when this process's subscriptions are live; rejects when it cannot join. */
  ready(): Promise<void> {
    this.#isReadyAwaited = true;
    return this.#ready;
  }

  /**
   * Publishes `data` to `channel`: `"public"`, `"master"`, `"confirmation"`, a group name or a
   * workerId. `data` is anything JSON can carry; it is encoded once, here, so bad data throws
   * in your stack. Messages published before `ready()` are queued, not lost.
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_CHANNEL`, `ERR_CLUSTR_INVALID_DATA`, `ERR_CLUSTR_CLOSED`
   */
  publish<T = unknown>(channel: string, data: T & JsonData<T>): void {
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
    const descriptor = this.#transport?.describe() ?? this.#inherited;
    if (descriptor === undefined) {
      throw new ClustrError('ERR_CLUSTR_NO_TRANSPORT', 'cannot spawn: this process has no transport');
    }
    const handles = spawnWorkers(specs, {
      parentId: this.#workerId ?? 'master',
      transport: descriptor,
      adopt: (link, handle) => {
        this.#childLinks.set(handle, link);
        this.#transport?.adopt(link);
      },
    });
    for (const handle of handles) {
      this.#children.add(handle);
      handle.on('error', (error) => reportError(this, error));
      void handle.exited.then(() => {
        this.#children.delete(handle);
        this.#childLinks.delete(handle);
      });
    }
    // One handle per spec, in the specs' order: the tuple the signature promises.
    return handles as { -readonly [K in keyof Specs]: WorkerHandle };
  }

  /**
   * Leaves the cluster: flushes queued messages, unsubscribes, closes the transport and stops
   * the children this process spawned. Afterwards nothing of clustr keeps the event loop alive.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** `await using` support: the same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Registers a handler for messages on `channel`. */
  protected addHandler<T>(channel: string, handler: MessageHandler<T>, method: string): () => void {
    if (typeof handler !== 'function') {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `${method} handler ${describeValue(handler)} is not a function`,
      );
    }
    const list = this.handlersOf(channel);
    return list.add(handler as MessageHandler);
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
      reportError(this, toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', 'a message handler threw'));
    }
  }

  /** Obeys a kill order: closes, then exits the process with the code. */
  protected obeyKill(envelope: Envelope): void {
    const { data } = envelope;
    if (typeof data !== 'number' || !Number.isInteger(data) || data < 0 || data > 255) {
      reportError(
        this,
        new ClustrError(
          'ERR_CLUSTR_BAD_FRAME',
          `kill order with exit code ${describeValue(data)} ignored (an integer from 0 to 255)`,
        ),
      );
      return;
    }
    this.#emitSafely('kill', { exitCode: data, from: envelope.meta });
    void this.close()
      .catch((error: unknown) =>
        reportError(this, toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'closing before exit failed')),
      )
      .finally(() => process.exit(data));
  }

  #useTransport(transport: unknown): void {
    assertTransport(transport);
    this.#transport = transport;
    transport.onMessage((channel, envelope) => this.#dispatch.get(channel)?.(envelope));
    transport.onError((error) => reportError(this, error));
  }

  async #start(): Promise<void> {
    if (this.#transport === undefined) {
      const inherited = this.#inherited;
      const parent = this.#identity.parent;
      if (inherited === undefined || parent === undefined) {
        throw new ClustrError(
          'ERR_CLUSTR_NO_TRANSPORT',
          'no transport: pass { transport } (e.g. createIpcTransport()) or use the clustr-node package, which defaults to IPC',
        );
      }
      const restored = await restoreTransport(await inherited, parent.link);
      if (this.#closing !== undefined) {
        // close() came first: it could not close what did not exist yet.
        await restored.close();
        throw new ClustrError('ERR_CLUSTR_CLOSED', 'closed before it joined the cluster');
      }
      this.#useTransport(restored);
    }
    const transport = this.#transport as Transport;
    for (const link of this.#childLinks.values()) if (!link.isClosed) transport.adopt(link);
    await transport.connect({ workerId: this.#workerId, group: this.group });
    await Promise.all(this.#identity.channels.map((channel) => transport.subscribe(channel)));
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const [channel, dataJson] of pending) transport.publish(channel, this.#meta, dataJson);
    this.#identity.parent?.link.signalReady();
    this.#emitSafely('ready');
  }

  /** Emits a lifecycle event; a listener that throws is reported, never allowed to derail it. */
  #emitSafely<K extends 'ready' | 'kill' | 'close'>(event: K, ...args: ClusterProcessEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: ClusterProcessEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      reportError(this, toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', `a "${event}" listener threw`));
    }
  }

  #send(channel: string, dataJson: string): void {
    this.#assertOpen('publish');
    const pending = this.#pending;
    if (pending === undefined) {
      if (this.#failure !== undefined) {
        throw new ClustrError(this.#failure.code, `cannot publish: ${this.#failure.message}`, {
          cause: this.#failure,
        });
      }
      this.#transport?.publish(channel, this.#meta, dataJson);
      return;
    }
    if (pending.length >= DEFAULT_MAX_PENDING_MESSAGES) {
      throw new ClustrError(
        'ERR_CLUSTR_QUEUE_FULL',
        `cannot publish to "${channel}": ${DEFAULT_MAX_PENDING_MESSAGES} messages already wait for ready() (the bound of what a process queues before it has joined)`,
      );
    }
    pending.push([channel, dataJson]);
  }

  #assertOpen(operation: string): void {
    if (this.#closing !== undefined) {
      throw new ClustrError(
        'ERR_CLUSTR_CLOSED',
        `cannot ${operation}: this process has left the cluster (close() was called)`,
      );
    }
  }

  async #shutdown(): Promise<void> {
    try {
      // The transport first: closing it also ends a connect still in progress.
      await this.#transport?.close();
      await this.#ready.catch(() => undefined);
    } finally {
      await Promise.allSettled([...this.#children].map((child) => child.stop()));
      this.#identity.parent?.link.unref();
      this.#emitSafely('close');
    }
  }
}
