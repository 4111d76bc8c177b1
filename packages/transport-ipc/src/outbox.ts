import { ClustrError } from '@clustr/protocol';
import { MAX_BATCH_FRAMES } from '@clustr/protocol/internal';
import { createLinkCounters, type IpcLinkStats, type LinkCounters } from './ipc-stats.js';

/** What an outbox needs from the router that owns it. */
export interface OutboxHost {
  /** Limits shared by every outbox. */
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  /** Schedules a flush of this outbox in the current turn's flush. */
  markDirty(outbox: Outbox<unknown>): void;
  /** Reports a failure through the transport's `onError`. */
  report(error: ClustrError): void;
  /** Counts dropped frames across every link. */
  countDropped(count: number): void;
}

/**
 * The queue of one link: frames pile up during an event-loop turn and leave in one batch per
 * turn; while the peer is slow (a write returned false) they wait, up to `maxQueueBytes`.
 */
export abstract class Outbox<T> {
  /** Counters of this link, read by `stats()`. */
  readonly counters: LinkCounters = createLinkCounters();
  /** True while this outbox waits in the host's list of outboxes to flush. */
  isDirty = false;
  protected items: T[] = [];
  protected sizes: number[] = [];
  protected head = 0;
  private chars = 0;
  private isBlocked = false;
  private isOverflowing = false;

  constructor(
    protected readonly host: OutboxHost,
    private readonly label: string,
  ) {}

  /**
   * Queues one frame of `size` characters. Control frames (sub, unsub, ack) pass the bound:
   * losing one would hang a subscription. Returns false when the frame was dropped.
   */
  push(item: T, size: number, isControl = false): boolean {
    if (!isControl && this.chars + size > this.host.maxQueueBytes) {
      this.overflow();
      return false;
    }
    this.items.push(item);
    this.sizes.push(size);
    this.chars += size;
    if (!this.isDirty && !this.isBlocked) {
      this.isDirty = true;
      this.host.markDirty(this);
    }
    return true;
  }

  private overflow(): void {
    this.counters.dropped++;
    this.host.countDropped(1);
    if (this.isOverflowing) return;
    this.isOverflowing = true;
    this.host.report(
      new ClustrError(
        'ERR_CLUSTR_QUEUE_FULL',
        `IPC queue for ${this.label} is full (${this.chars} of ${this.host.maxQueueBytes} bytes queued while the peer is slow to read): frames are dropped until it drains`,
        { details: { link: this.label, queuedBytes: this.chars, maxQueueBytes: this.host.maxQueueBytes } },
      ),
    );
  }

  /** Writes what is queued, one batch line per write, until the peer is full. `force` ignores that. */
  flush(force = false): void {
    this.isDirty = false;
    const maxBatch = this.host.maxBatchBytes;
    while (this.head < this.items.length && (force || !this.isBlocked)) {
      const { items, sizes } = this;
      const start = this.head;
      let end = items.length;
      let chars = this.chars;
      if (chars > maxBatch || end - start > MAX_BATCH_FRAMES) {
        end = start + 1;
        chars = sizes[start]!;
        while (end < items.length && end - start < MAX_BATCH_FRAMES && chars + sizes[end]! <= maxBatch) {
          chars += sizes[end++]!;
        }
      }
      this.head = end;
      this.chars -= chars;
      if (!this.write(start, end, chars)) this.isBlocked = true;
    }
    if (this.head === this.items.length) {
      this.reset();
      this.head = 0;
      this.isOverflowing = false;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** The peer can take more: flush in this turn. */
  unblock(): void {
    this.isBlocked = false;
    if (!this.isDirty && this.head < this.items.length) {
      this.isDirty = true;
      this.host.markDirty(this);
    }
  }

  /** Forgets what is queued (the peer is gone); returns how many frames were lost. */
  discard(): number {
    const lost = this.items.length - this.head;
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.chars = 0;
    return lost;
  }

  /** A snapshot of the counters. */
  snapshot(): IpcLinkStats {
    return { ...this.counters, queuedBytes: this.chars, isBlocked: this.isBlocked };
  }

  // A new array, not a truncated one: a written batch may still hold the old one (the batch
  // cache of a fan-out, or the frames array of the parent's batch object).
  private reset(): void {
    this.items = [];
    this.sizes.length = 0;
  }

  /** Counts one write of `frames` frames, `chars` characters, actually handed to the peer. */
  protected countWrite(frames: number, chars: number): void {
    this.counters.framesSent += frames;
    this.counters.bytesSent += chars;
    this.counters.writes++;
  }

  /**
   * Writes items `[start, end)` as one message; returns false when the peer is full. Counts
   * what it wrote with {@link Outbox.countWrite} and what it could not write as dropped.
   */
  protected abstract write(start: number, end: number, chars: number): boolean;
}
