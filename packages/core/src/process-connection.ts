import type { EventEmitter } from 'node:events';
import {
  type ChildLink,
  type ClustrError,
  type EncodedMeta,
  type Transport,
  type TransportDescriptor,
  toClustrError,
} from '@clustr/protocol';
import type {
  ClusterProcessEvents,
  ClusterProcessOptions,
  ProcessIdentity,
} from './cluster-process-options.js';
import { emitSafely } from './emit-safely.js';
import { ParentHold } from './parent-hold.js';
import type { ProcessPresence } from './presence-of-process.js';
import * as errors from './process-errors.js';
import {
  initialProcessState,
  nextProcessState,
  type ProcessEvent,
  type ProcessState,
} from './process-state.js';
import { chooseTransport, type Dispatch, listenTo, restoreTransport } from './resolve-transport.js';
import { sendInState } from './send-in-state.js';

/** What a connection needs of its process. */
export interface ConnectingProcess {
  /** The process itself: it emits `ready` once it has joined. */
  readonly events: EventEmitter<ClusterProcessEvents>;
  readonly identity: ProcessIdentity;
  readonly meta: EncodedMeta;
  readonly presence: ProcessPresence;
  /** Where each message of the transport goes, by its channel. */
  readonly routes: ReadonlyMap<string, Dispatch>;
  /** Its children's open links: a transport restored after they started adopts them. */
  links(): ChildLink[];
  /** The channels it subscribes to, but presence's. */
  channels(): string[];
  report(error: ClustrError): void;
}

/**
 * A master's or worker's connection to the cluster and where the process is in its life, one
 * `ProcessState` that only `apply` changes: the transport chosen at `create()` (given, built by
 * `defaultTransport`, or rebuilt from the parent's welcome), the join, what publishing does in
 * each state, and the hold on the parent's link while the process is in the cluster.
 */
export class ProcessConnection {
  readonly #process: ConnectingProcess;
  #state: ProcessState;
  /** The parent's transport, as its welcome describes it (this process rebuilds it). */
  readonly #inherited: Promise<TransportDescriptor> | undefined;
  readonly #parentHold: ParentHold;

  /** @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a `transport` or `defaultTransport` that is none */
  constructor(options: ClusterProcessOptions, process: ConnectingProcess) {
    this.#process = process;
    const { parent } = process.identity;
    const chosen = chooseTransport(options, parent);
    this.#inherited = chosen.inherited;
    this.#state = initialProcessState(chosen.given === undefined ? undefined : this.#listen(chosen.given));
    this.#parentHold = new ParentHold(parent);
  }

  /** Where the process is in its life. */
  get state(): ProcessState {
    return this.#state;
  }

  /** The transport as children rebuild it; before the parent's welcome, the promise of it. */
  get descriptor(): TransportDescriptor | Promise<TransportDescriptor> | undefined {
    return this.#state.transport?.describe() ?? this.#inherited;
  }

  /** The transport while the process is ready; none while it joins or leaves. */
  readyTransport(): Transport | undefined {
    return this.#state.kind === 'ready' ? this.#state.transport : undefined;
  }

  apply(event: ProcessEvent): ProcessState {
    this.#state = nextProcessState(this.#state, event);
    return this.#state;
  }

  /**
   * Joins the cluster; resolves once the subscriptions are live and `ready` was emitted, or
   * rejects with why not (the state is then `failed`). Meanwhile the process holds itself open.
   */
  join(): Promise<void> {
    // A spawned worker stays alive while it is in the cluster, whatever else it does.
    this.#parentHold.set(true);
    return this.#join().catch((error: unknown) => {
      const reason = toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'joining the cluster failed');
      this.apply({ type: 'failed', reason });
      // Not in the cluster: nothing of clustr keeps the process alive any more.
      this.#parentHold.set(false);
      throw reason;
    });
  }

  /** Publishes as the state allows (see `sendInState`); false when the message was dropped. */
  send(channel: string, dataJson: string): boolean {
    const { meta, presence } = this.#process;
    return sendInState(this.#state, meta, presence.counters, channel, dataJson);
  }

  /** The shutdown is over: nothing of clustr holds the process any more, and it is `closed`. */
  closed(): void {
    this.#parentHold.set(false);
    this.apply({ type: 'closed' });
  }

  /** Checks a transport and listens to it; returns it. */
  #listen(transport: unknown): Transport {
    const { presence, routes } = this.#process;
    return listenTo(transport, presence.counters, routes, (error) => this.#process.report(error));
  }

  async #join(): Promise<void> {
    const { identity, meta, presence } = this.#process;
    let transport = this.#state.transport;
    if (transport === undefined) {
      const inherited = this.#inherited;
      const parent = identity.parent;
      if (inherited === undefined || parent === undefined) throw errors.noTransport();
      const restored = await restoreTransport(await inherited, parent.link);
      if (this.apply({ type: 'restored', transport: restored }).transport !== restored) {
        // close() came first: it could not close what did not exist yet.
        await restored.close();
        throw errors.closedBeforeJoining();
      }
      transport = this.#listen(restored);
    }
    for (const link of this.#process.links()) transport.adopt(link);
    await transport.connect({ workerId: identity.workerId, group: identity.group });
    const channels = [...this.#process.channels(), presence.channel];
    await Promise.all(channels.map((channel) => transport.subscribe(channel)));
    const joining = this.#state;
    // close() came while subscribing and the transport still answered: it stays closing.
    if (this.apply({ type: 'joined' }).kind !== 'ready') throw errors.closedBeforeJoining();
    const pending = joining.kind === 'joining' ? joining.pending : [];
    for (const [channel, dataJson] of pending) transport.publish(channel, meta, dataJson);
    const { parent } = identity;
    if (parent !== undefined) {
      presence.welcomed(await parent.welcome.catch(() => undefined));
      parent.link.signalReady();
    }
    presence.start();
    emitSafely(this.#process.events, 'ready');
  }
}
