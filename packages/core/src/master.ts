import { hostname } from 'node:os';
import { ClustrError, type Envelope, type JsonValue } from '@clustr/protocol';
import {
  CONFIRMATION_CHANNEL,
  MASTER_CHANNEL,
  PUBLIC_CHANNEL,
  reportToEmitter,
} from '@clustr/protocol/internal';
import { ClusterProcess, type ClusterProcessOptions } from './cluster-process.js';
import { type ConfirmationCallback, Confirmations } from './confirmations.js';
import { ControlSocket } from './control-socket.js';
import { HandlerList, type MessageHandler } from './handler-list.js';
import { type MasterControlOptions, resolveMasterControl } from './master-control.js';
import { type ReloadOptions, type ReloadSummary, rollingReload } from './master-reload.js';
import { MemberWatch } from './member-watch.js';
import type { Member } from './presence-types.js';
import { masterMemberId } from './process-presence.js';
import type { ShutdownReason } from './shutdown-types.js';

/** Options of {@link Master.create}. */
export interface MasterOptions extends ClusterProcessOptions, MasterControlOptions {}

/**
 * The root process of a cluster. Group `"master"`, no workerId. Receives `public` messages, its
 * private channel `"master"`, and counts `confirmation` messages.
 *
 * @example
 * const master = Master.create({ transport: createIpcTransport() });
 * master.onConfirmation(2, 'cache', () => console.log('both caches are warm'));
 * master.spawn([{ file: './cache.js' }, { file: './cache.js' }]);
 */
export class Master extends ClusterProcess {
  readonly #public = new HandlerList();
  readonly #private = new HandlerList();
  readonly #confirmations = new Confirmations();
  readonly #control: ControlSocket | undefined;
  /** The reload under way, if any. */
  #reloading: Promise<ReloadSummary> | undefined;
  /** The cluster's name (the `name` option), as `clustr ps` shows it. */
  readonly name: string;

  private constructor(options: MasterOptions) {
    const control = resolveMasterControl(options);
    super(
      {
        workerId: undefined,
        group: MASTER_CHANNEL,
        channels: [PUBLIC_CHANNEL, MASTER_CHANNEL, CONFIRMATION_CHANNEL],
        ownChannels: [],
        parent: undefined,
      },
      options,
    );
    this.route(PUBLIC_CHANNEL, (envelope) => this.deliver(this.#public, envelope));
    this.route(MASTER_CHANNEL, (envelope) => this.deliver(this.#private, envelope));
    this.route(CONFIRMATION_CHANNEL, (envelope) => {
      const errors = this.#confirmations.count(envelope);
      if (errors !== undefined) this.reportHandlerErrors(errors);
    });
    this.name = control.name;
    this.#control = control.isEnabled ? this.#listenForControl() : undefined;
  }

  /** Creates the master. Returns at once; `await master.ready()` before relying on delivery. */
  static create(options: MasterOptions = {}): Master {
    return new Master(options);
  }

  /** The master has no workerId. */
  get workerId(): undefined {
    return undefined;
  }

  /** Listens to the master's private channel, `"master"`; returns the remover. */
  onPrivate<T = unknown>(handler: MessageHandler<T>): () => void {
    return this.addHandler(MASTER_CHANNEL, handler, 'onPrivate');
  }

  /**
   * Calls `callback(lastMessage, messages)` on every `n`-th confirmation message whose data is
   * `identifier`, then counts again. Returns the function that removes the counter.
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a count below 1, an empty identifier, or a non-function
   */
  onConfirmation(n: number, identifier: string, callback: ConfirmationCallback): () => void {
    return this.#confirmations.add(n, identifier, callback);
  }

  /**
   * Replaces every worker this master spawned (or those of `group`) by a new incarnation, without
   * downtime: `concurrency` at a time, each new incarnation is started — same workerId, same spec
   * and CPU pin — and awaited until presence shows it ready; only then is the old one retired
   * (its shutdown hooks hear `{ kind: 'reload' }`). A worker's subtree is replaced with it: the
   * new incarnation's program spawns its own. A group therefore never has fewer ready members
   * than before. The first new incarnation that does not get ready (it exits, or
   * `readyTimeoutMs` passes) is killed, its old one kept, and the reload stops.
   *
   * @example
   * const { replaced } = await master.reload({ group: 'web' });
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`; rejects with `ERR_CLUSTR_RELOAD_FAILED`
   * naming the worker (the summary so far in `details.summary`), also while another reload runs
   */
  reload(options?: ReloadOptions): Promise<ReloadSummary> {
    if (this.#reloading !== undefined) {
      return Promise.reject(
        new ClustrError(
          'ERR_CLUSTR_RELOAD_FAILED',
          'a reload is already under way: wait for it before starting another',
        ),
      );
    }
    const host = {
      children: () => this.children,
      selfId: this.presence.id,
      get: (id: string) => this.presence.get(id),
      onJoin: (handler: (member: Member) => void) => this.presence.onJoin(handler),
    };
    const reloading = rollingReload(host, options).finally(() => {
      this.#reloading = undefined;
    });
    this.#reloading = reloading;
    return reloading;
  }

  /** SIGHUP on a master: a rolling reload of all its workers (a failure is reported). */
  protected override hangUp(): void {
    if (this.#reloading !== undefined) return;
    this.reload().catch((error: ClustrError) => this.report(error));
  }

  /** Closes the control socket first (nobody acts on a leaving cluster), then shuts down. */
  protected override shutDown(reason: ShutdownReason): Promise<void> {
    this.#control?.close();
    return super.shutDown(reason);
  }

  /** The control socket, fed with every heartbeat as it arrives (for the members' rates). */
  #listenForControl(): ControlSocket {
    const watch = new MemberWatch();
    const { channel } = this.presence;
    this.route(channel, (envelope) => {
      this.presence.receive(envelope);
      watch.heard(envelope.data);
    });
    this.onLeave((member, reason) => watch.leave(member, reason));
    const startedAt = Date.now();
    const host = hostname();
    return new ControlSocket(
      {
        info: () => ({
          name: this.name,
          pid: process.pid,
          host,
          id: masterMemberId(host, process.pid),
          startedAt,
          transport: this.transportName,
          members: this.members().length,
        }),
        view: () => watch.view(this.members()),
        killWorker: (workerId, code) => this.killWorker(workerId, code),
        publish: (channel, data) => this.publish(channel, data as JsonValue),
        reload: (options) => this.reload(options),
      },
      (error) => reportToEmitter(this, error),
    );
  }

  protected override handlersOf(channel: string): HandlerList {
    return channel === PUBLIC_CHANNEL ? this.#public : this.#private;
  }
}

export type { ConfirmationCallback, Envelope };
