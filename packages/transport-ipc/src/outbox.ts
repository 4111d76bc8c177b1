import { ClustrError } from '@clustr/protocol';
import { createLinkCounters, type IpcLinkStats, type LinkCounters } from './ipc-stats.js';
import type { Run } from './run.js';

/** What an outbox needs from the router that owns it. */
export interface OutboxHost {
  /** Limits shared by every outbox. */
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  /** Schedules a flush of this outbox in the current turn's flush. */
  markDirty(outbox: Outbox): void;
  /** Reports a failure through the transport's `onError`. */
  report(error: ClustrError): void;
  /** Counts dropped frames across every link. */
  countDropped(count: number): void;
  /**
   * A control frame went past {@link MAX_CONTROL_OVERSHOOT}: the peer does not read its own
   * answers (a child flooding `sub` frames). The host cuts it off.
   */
  controlOverflow(outbox: Outbox): void;
}

/**
 * How far past `maxQueueBytes` control frames (sub, unsub, ack, join, leave) may queue. They
 * are never dropped for being over the data bound (losing one would hang or leak a
 * subscription), but a peer that asks and never reads the answers cannot grow the queue past
 * this: it is cut off instead.
 */
export const MAX_CONTROL_OVERSHOOT = 1024 * 1024;

/**
 * The queue of one link: frame lines pile up during an event-loop turn and leave in one write
 * per turn; while the peer is slow (a write returned false) they wait, up to `maxQueueBytes`.
 */
export abstract class Outbox {
  /** Counters of this link, read by `stats()`. */
  readonly counters: LinkCounters = createLinkCounters();
  /** True while this outbox waits in the host's list of outboxes to flush. */
  isDirty = false;
  protected items: (string | Run)[] = [];
  protected sizes: number[] = [];
  /** Messages per item: 1, or the length of a run (ours, growing, or one relayed as a line). */
  protected counts: number[] = [];
  protected head = 0;
  private chars = 0;
  private isBlocked = false;
  private isOverflowing = false;

  constructor(
    protected readonly host: OutboxHost,
    private readonly label: string,
  ) {}

  /**
   * Queues one frame line (without its newline) of `size` bytes. Control frames (sub, unsub, ack,
   * join, leave) pass the bound by up to {@link MAX_CONTROL_OVERSHOOT}; past that the peer is
   * cut off (see `OutboxHost.controlOverflow`). `count` is how many messages the item holds (a
   * relayed run line holds several). Returns false when the frame was dropped.
   */
  push(line: string | Run, size: number, isControl = false, count = 1): boolean {
    if (this.chars + size > this.host.maxQueueBytes) {
      if (!isControl) {
        this.overflow(count);
        return false;
      }
      if (this.chars + size > this.host.maxQueueBytes + MAX_CONTROL_OVERSHOOT) {
        this.countDropped(1);
        this.host.controlOverflow(this);
        return false;
      }
    }
    this.items.push(line);
    this.sizes.push(size);
    this.counts.push(count);
    this.chars += size;
    if (!this.isDirty && !this.isBlocked) {
      this.isDirty = true;
      this.host.markDirty(this);
    }
    return true;
  }

  /** True when `size` more bytes fit the queue bound. */
  canTake(size: number): boolean {
    return this.chars + size <= this.host.maxQueueBytes;
  }

  /** The run queued last here took one more message of `size` bytes (checked with {@link canTake}). */
  grow(size: number): void {
    this.sizes[this.sizes.length - 1]! += size;
    this.counts[this.counts.length - 1]!++;
    this.chars += size;
  }

  private overflow(count: number): void {
    this.countDropped(count);
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

  /** Writes what is queued, up to `maxBatchBytes` per write, until the peer is full. `force` ignores that. */
  flush(force = false): void {
    this.isDirty = false;
    const maxBatch = this.host.maxBatchBytes;
    while (this.head < this.items.length && (force || !this.isBlocked)) {
      const { items, sizes } = this;
      const start = this.head;
      let end = items.length;
      let chars = this.chars;
      if (chars > maxBatch) {
        end = start + 1;
        chars = sizes[start]!;
        while (end < items.length && chars + sizes[end]! <= maxBatch) {
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
      this.counts = this.counts.slice(this.head);
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

  /** Forgets what is queued (the peer is gone); returns how many messages were lost. */
  discard(): number {
    const lost = this.messagesIn(this.head, this.items.length);
    this.items = [];
    this.sizes = [];
    this.counts = [];
    this.head = 0;
    this.chars = 0;
    return lost;
  }

  /** A snapshot of the counters. */
  snapshot(): IpcLinkStats {
    return { ...this.counters, queuedBytes: this.chars, isBlocked: this.isBlocked };
  }

  // A new array, not a truncated one: the write cache of a fan-out may still hold the old one.
  private reset(): void {
    this.items = [];
    this.sizes.length = 0;
    this.counts.length = 0;
  }

  /** How many messages items `[start, end)` hold. */
  protected messagesIn(start: number, end: number): number {
    let messages = 0;
    for (let i = start; i < end; i++) messages += this.counts[i]!;
    return messages;
  }

  /** Counts one write of `messages` messages (and control frames), `bytes` bytes, handed to the peer. */
  protected countWrite(messages: number, bytes: number): void {
    this.counters.framesSent += messages;
    this.counters.bytesSent += bytes;
    this.counters.writes++;
  }

  /** Counts `messages` messages (and control frames) for the peer that were never written. */
  protected countDropped(messages: number): void {
    this.counters.dropped += messages;
    this.host.countDropped(messages);
  }

  /**
   * Writes lines `[start, end)` in one write; returns false when the peer is full. Counts
   * what it wrote with {@link Outbox.countWrite} and what it could not write as dropped.
   */
  protected abstract write(start: number, end: number, chars: number): boolean;
}
