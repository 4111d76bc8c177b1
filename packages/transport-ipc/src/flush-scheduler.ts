import { createWriteCache, type WriteCache } from './link-outbox.js';
import type { Outbox } from './outbox.js';

/**
 * Collects the outboxes that got frames while the current callback runs and flushes them all
 * in one microtask once it returns: one write per link for a whole burst, without waiting for
 * another turn of the event loop (a light exchange pays no extra latency).
 */
export class FlushScheduler {
  /** Shared by the links of one flush, so that a fan-out joins its lines once. */
  readonly cache: WriteCache = createWriteCache();
  private dirty: Outbox[] = [];
  private isScheduled = false;

  /** `outbox` has frames to write. */
  add(outbox: Outbox): void {
    this.dirty.push(outbox);
    if (this.isScheduled) return;
    this.isScheduled = true;
    queueMicrotask(this.run);
  }

  /** Flushes every outbox that has frames now; `force` writes past backpressure (on close). */
  flush(force = false): void {
    this.isScheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (let i = 0; i < dirty.length; i++) dirty[i]!.flush(force);
    this.cache.items = undefined;
    this.cache.text = '';
  }

  private readonly run = (): void => {
    if (this.isScheduled) this.flush();
  };
}
