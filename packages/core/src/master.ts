import type { Envelope } from '@clustr/protocol';
import { CONFIRMATION_CHANNEL, MASTER_CHANNEL, PUBLIC_CHANNEL } from '@clustr/protocol/internal';
import { ClusterProcess, type ClusterProcessOptions } from './cluster-process.js';
import { type ConfirmationCallback, Confirmations } from './confirmations.js';
import { HandlerList, type MessageHandler } from './handler-list.js';

/** Options of {@link Master.create}. */
export interface MasterOptions extends ClusterProcessOptions {}

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

  private constructor(options: MasterOptions) {
    super(
      {
        workerId: undefined,
        group: MASTER_CHANNEL,
        channels: [PUBLIC_CHANNEL, MASTER_CHANNEL, CONFIRMATION_CHANNEL],
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

  protected override handlersOf(channel: string): HandlerList {
    return channel === PUBLIC_CHANNEL ? this.#public : this.#private;
  }
}

export type { ConfirmationCallback, Envelope };
