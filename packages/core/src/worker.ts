import { ClustrError } from '@clustr/protocol';
import {
  assertGroupName,
  assertOwnWorkerId,
  describeValue,
  killChannel,
  oneChannel,
  PUBLIC_CHANNEL,
  randomId,
} from '@clustr/protocol/internal';
import { joinParent } from '@clustr/spawner';
import { ClusterProcess, type ClusterProcessOptions } from './cluster-process.js';
import { HandlerList, type MessageHandler } from './handler-list.js';

/** Options of {@link Worker.create}. */
export interface WorkerOptions extends ClusterProcessOptions {
  /** The worker's group: group messages to this name reach it. Required. */
  group: string;
  /**
   * The worker's id: a UUID (groups may not have that shape, so no group can take a worker's
   * private channel). A spawned worker keeps the id its parent assigned; another is refused.
   * @default the id its parent assigned when clustr spawned it, else a random UUID
   */
  workerId?: string;
}

/**
 * A worker process: belongs to a group, has a unique workerId, receives `public`, group and
 * private messages, and obeys kill orders.
 *
 * @example
 * const worker = Worker.create({ group: 'web' });
 * worker.onGroup((message) => console.log('web news', message.data));
 * worker.publish('confirmation', 'web');
 */
export class Worker extends ClusterProcess {
  readonly #public = new HandlerList();
  readonly #group = new HandlerList();
  readonly #private = new HandlerList();
  /** This worker's unique id. */
  readonly workerId: string;

  private constructor(options: WorkerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_GROUP',
        `Worker.create needs options with a group, e.g. Worker.create({ group: 'web' }) (got ${describeValue(options)})`,
      );
    }
    if (options.group === undefined) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_GROUP',
        "Worker.create needs a group, e.g. Worker.create({ group: 'web' })",
      );
    }
    assertGroupName(options.group);
    if (options.workerId !== undefined) assertOwnWorkerId(options.workerId);
    const parent = joinParent();
    if (parent !== undefined && options.workerId !== undefined && options.workerId !== parent.workerId) {
      // The parent vouches for the id it assigned, and for no other: its link would refuse the rest.
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_WORKER_ID',
        `workerId ${describeValue(options.workerId)} is not the id this worker's parent assigned (${parent.workerId}): a spawned worker keeps the id its parent gave it`,
        { details: { value: options.workerId, assigned: parent.workerId } },
      );
    }
    const workerId = options.workerId ?? parent?.workerId ?? randomId();
    super(
      {
        workerId,
        group: options.group,
        channels: [PUBLIC_CHANNEL, options.group, workerId, killChannel(workerId)],
        ownChannels: [workerId, killChannel(workerId), oneChannel(workerId)],
        parent,
      },
      options,
    );
    this.workerId = workerId;
    this.route(PUBLIC_CHANNEL, (envelope) => this.deliver(this.#public, envelope));
    this.route(options.group, (envelope) => this.deliver(this.#group, envelope));
    this.route(workerId, (envelope) => this.deliver(this.#private, envelope));
    this.route(killChannel(workerId), (envelope) => this.obeyKill(envelope));
    // A rolling reload: a new incarnation of this worker is ready and replaces it.
    parent?.link.onRetire(() => this.stopAndExit({ kind: 'reload' }));
  }

  /** Creates a worker. Returns at once; `await worker.ready()` before relying on delivery. */
  static create(options: WorkerOptions): Worker {
    return new Worker(options);
  }

  /** Listens to this worker's group channel; returns the remover. */
  onGroup<T = unknown>(handler: MessageHandler<T>): () => void {
    return this.addHandler(this.group, handler, 'onGroup');
  }

  /** Listens to this worker's private channel (its workerId); returns the remover. */
  onPrivate<T = unknown>(handler: MessageHandler<T>): () => void {
    return this.addHandler(this.workerId, handler, 'onPrivate');
  }

  protected override handlersOf(channel: string): HandlerList {
    if (channel === PUBLIC_CHANNEL) return this.#public;
    return channel === this.group ? this.#group : this.#private;
  }
}
