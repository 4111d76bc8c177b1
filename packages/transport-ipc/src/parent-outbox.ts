import { ClustrError, type EncodedMeta } from '@clustr/protocol';
import { Outbox, type OutboxHost } from './outbox.js';
import type { ParentPort } from './parent-port.js';

/**
 * The outbox towards the parent. Node's IPC channel takes objects (`process.send` serializes
 * them), so items are frame objects and a turn's frames leave as one batch object.
 */
export class ParentOutbox extends Outbox<object> {
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    host: OutboxHost,
    private readonly port: ParentPort,
  ) {
    super(host, 'the parent');
  }

  /**
   * Queues a message this process published. Node's channel takes objects, so its data is
   * decoded once for it; data that is not JSON (a caller that skipped `encodeData`) is reported.
   */
  pushPublished(channel: string, meta: EncodedMeta, dataJson: string, size: number): void {
    let data: unknown;
    try {
      data = JSON.parse(dataJson);
    } catch (error) {
      this.host.report(
        new ClustrError('ERR_CLUSTR_INVALID_DATA', `published data on "${channel}" is not JSON: not sent`, {
          cause: error,
        }),
      );
      return;
    }
    this.push({ clustr: 1, channel, meta: meta.meta, data }, size);
  }

  /** Runs when every send handed to Node was written (at once when none is pending). */
  whenIdle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readonly onSent = (): void => {
    this.inflight--;
    if (this.inflight > 0) return;
    this.unblock();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  protected write(start: number, end: number, chars: number): boolean {
    if (!this.port.isConnected) {
      this.counters.dropped += end - start;
      this.host.countDropped(end - start);
      return true;
    }
    const { items } = this;
    const message =
      end - start === 1
        ? items[start]!
        : {
            clustr: 1,
            type: 'batch',
            frames: start === 0 && end === items.length ? items : items.slice(start, end),
          };
    try {
      this.inflight++;
      const isOpen = this.port.send(message, this.onSent);
      this.countWrite(end - start, chars);
      return isOpen;
    } catch (error) {
      this.inflight--;
      return this.writeEach(start, end, error);
    }
  }

  // Node serializes inside send(); a frame JSON cannot serialize again (nested too deep) throws
  // there. Retry one by one so that only the culprit is lost.
  private writeEach(start: number, end: number, cause: unknown): boolean {
    let isOpen = true;
    for (let i = start; i < end; i++) {
      try {
        this.inflight++;
        isOpen = this.port.send(this.items[i]!, this.onSent) && isOpen;
        this.countWrite(1, this.sizes[i]!);
      } catch (error) {
        this.inflight--;
        this.counters.dropped++;
        this.host.countDropped(1);
        this.host.report(
          new ClustrError('ERR_CLUSTR_BAD_FRAME', 'a frame for the parent cannot be serialized: dropped', {
            cause: error ?? cause,
          }),
        );
      }
    }
    return isOpen;
  }
}
