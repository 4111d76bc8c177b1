import { ClustrError } from '@clustr/protocol';

interface Waiter {
  remaining: number;
  settle(error?: ClustrError): void;
}

interface PendingSub {
  readonly channels: readonly string[];
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  /** Set once the ack timed out: later waits on the entry fail at once with it. */
  expired: ClustrError | undefined;
}

/**
 * Subscription ids, unique in the process: a router created after another closed (a worker closed
 * and created again) may still receive the old one's acks from the parent link, and must not
 * take them for its own. The counter lives on a `Symbol.for` global, so two copies of this module
 * (ESM and CJS, or the copy bundled into `clustr-node`) never hand out the same id.
 */
const NEXT_SUBSCRIPTION_ID = Symbol.for('clustr.ipc.nextSubscriptionId');

function takeSubscriptionId(): number {
  const store = globalThis as Record<symbol, number | undefined>;
  const id = store[NEXT_SUBSCRIPTION_ID] ?? 1;
  store[NEXT_SUBSCRIPTION_ID] = id + 1;
  return id;
}

/**
 * The `sub` frames this process sent to its parent and still waits to see acknowledged, and who
 * waits for them: local `subscribe()` calls and the `sub` frames of children, which are acked in
 * turn only once everything they depend on is live up to the root.
 */
export class AckTracker {
  private readonly pending = new Map<number, PendingSub>();

  /** `onExpire` runs when the ack of a `sub` frame timed out, just before its waiters fail. */
  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire?: (id: number, channels: readonly string[]) => void,
  ) {}

  /** Registers a `sub` frame about to be sent for `channels`; returns its id. */
  open(channels: readonly string[]): number {
    const id = takeSubscriptionId();
    const entry: PendingSub = { channels, waiters: [], timer: undefined, expired: undefined };
    entry.timer = setTimeout(() => this.expire(id, entry), this.timeoutMs);
    entry.timer.unref();
    this.pending.set(id, entry);
    return id;
  }

  /** Ids of every `sub` frame still awaiting its ack (timed-out ones excluded). */
  openIds(): number[] {
    const ids: number[] = [];
    for (const [id, entry] of this.pending) if (entry.expired === undefined) ids.push(id);
    return ids;
  }

  /**
   * Runs `settle` once every id in `ids` is acknowledged (at once when `ids` is empty), or with
   * `ERR_CLUSTR_TIMEOUT` as soon as one of them timed out (at once when one already has).
   */
  whenAcked(ids: readonly number[], settle: (error?: ClustrError) => void): void {
    for (const id of ids) {
      const expired = this.pending.get(id)?.expired;
      if (expired !== undefined) {
        settle(expired);
        return;
      }
    }
    const waiter: Waiter = { remaining: 0, settle };
    for (const id of ids) {
      const entry = this.pending.get(id);
      if (entry === undefined) continue;
      waiter.remaining++;
      entry.waiters.push(waiter);
    }
    if (waiter.remaining === 0) settle();
  }

  /** A promise form of {@link AckTracker.whenAcked}. */
  waitFor(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.whenAcked(ids, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * The parent acknowledged `id`: returns the channels it covered (undefined when unknown).
   * A late ack of a timed-out `sub` only forgets it: its waiters already failed.
   */
  ack(id: number): readonly string[] | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    for (const waiter of entry.waiters) {
      if (--waiter.remaining === 0) waiter.settle();
    }
    return entry.channels;
  }

  /** Fails every waiter (the parent is gone, or the transport closed). */
  failAll(error: ClustrError): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      this.fail(entry, error);
    }
  }

  private expire(id: number, entry: PendingSub): void {
    // The entry stays, marked: a wait that still names it fails at once instead of hanging.
    entry.timer = undefined;
    entry.expired = new ClustrError(
      'ERR_CLUSTR_TIMEOUT',
      `the parent did not acknowledge subscription ${id} (${entry.channels.join(', ') || 'handshake'}) within ${this.timeoutMs} ms`,
      { details: { id, channels: entry.channels, timeoutMs: this.timeoutMs } },
    );
    // Routes first: whoever reacts to the failure finds them ready for a new `sub`.
    this.onExpire?.(id, entry.channels);
    this.fail(entry, entry.expired);
  }

  private fail(entry: PendingSub, error: ClustrError): void {
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const waiter of waiters) {
      if (waiter.remaining > 0) {
        waiter.remaining = 0;
        waiter.settle(error);
      }
    }
  }
}
