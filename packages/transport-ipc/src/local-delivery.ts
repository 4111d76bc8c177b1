import { ClustrError, type Envelope, type Meta, type RunFrame } from '@clustr/protocol';
import { createTransportHandlers } from '@clustr/protocol/internal';

/**
 * This process's side of the transport: its `onMessage` and `onError` handlers, and the
 * messages it published to itself, delivered a turn later and in order (never inside `publish`).
 */
export class LocalDelivery {
  /** Messages handed to the handlers. */
  delivered = 0;
  private readonly handlers = createTransportHandlers();
  readonly onMessage = this.handlers.onMessage;
  readonly onError = this.handlers.onError;
  /** Reports through `onError`; with no handler, as a process warning (never a crash). */
  readonly report = this.handlers.report;
  // Parallel arrays rather than an object per queued message.
  private channels: string[] = [];
  private metas: Meta[] = [];
  private data: string[] = [];
  private handle: NodeJS.Immediate | undefined;

  /**
   * Queues a message this process published on a channel it subscribes to, for the next turn
   * (a macrotask: a handler that publishes to its own channel loops once per turn instead of
   * starving I/O).
   */
  queue(channel: string, meta: Meta, dataJson: string): void {
    this.channels.push(channel);
    this.metas.push(meta);
    this.data.push(dataJson);
    this.handle ??= setImmediate(this.deliverQueued);
  }

  /**
   * Delivers the queued messages now; each gets its own decoded data, as a remote receiver would.
   * Data that is not JSON (a caller that skipped `encodeData`) is reported and skipped.
   */
  readonly deliverQueued = (): void => {
    if (this.handle !== undefined) clearImmediate(this.handle);
    this.handle = undefined;
    const { channels, metas, data } = this;
    this.channels = [];
    this.metas = [];
    this.data = [];
    for (let i = 0; i < channels.length; i++) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(data[i]!);
      } catch (error) {
        this.report(
          new ClustrError(
            'ERR_CLUSTR_INVALID_DATA',
            `published data on "${channels[i]}" is not JSON (encode it with encodeData): not delivered locally`,
            { cause: error, details: { channel: channels[i] } },
          ),
        );
        continue;
      }
      this.deliver(channels[i]!, { meta: metas[i]!, data: decoded });
    }
  };

  /** Hands a message to every handler; a handler that throws is reported, the others still run. */
  deliver(channel: string, envelope: Envelope): void {
    this.delivered++;
    this.handlers.deliver(channel, envelope);
  }

  /** Each message of a run, in order, each with a meta of its own. */
  deliverRun(frame: RunFrame): void {
    const { channel, meta, run } = frame;
    const { workerId, group } = meta;
    for (let i = 0; i < run.length; i++) {
      const own = i === 0 ? meta : workerId === undefined ? { group } : { workerId, group };
      this.deliver(channel, { meta: own, data: run[i] });
    }
  }
}
