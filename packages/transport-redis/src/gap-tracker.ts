/** Most (sender, channel) pairs a receiver follows; past it the least recently heard is forgotten. */
export const MAX_TRACKED_SENDERS = 10_000;

/** Longest incarnation id taken from the wire (ours are 12 characters). */
const MAX_SRC_LENGTH = 64;

/**
 * What a receiver knows of each sender's numbering on each channel: the last sequence number
 * seen per (incarnation, channel), in one bounded LRU — a hostile sender inventing incarnations
 * costs at most {@link MAX_TRACKED_SENDERS} entries, and the pairs heard from most recently stay.
 */
export class GapTracker {
  readonly #last = new Map<string, number>();
  readonly #max: number;

  constructor(max = MAX_TRACKED_SENDERS) {
    this.#max = max;
  }

  /** Pairs followed now, for tests of the bound. */
  get size(): number {
    return this.#last.size;
  }

  /**
   * Takes a payload of `count` envelopes from `src` on `channel` whose last is numbered `seq`;
   * returns how many of that sender's messages on the channel were skipped before it (0 for the
   * first payload heard from it, for one in sequence, and for a number that went back: a
   * restarted numbering is not a loss). Numbers that are not what the wire allows are ignored.
   */
  observe(channel: string, src: unknown, seq: unknown, count: number): number {
    if (typeof src !== 'string' || src.length === 0 || src.length > MAX_SRC_LENGTH) return 0;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < count) return 0;
    const key = `${src}\n${channel}`;
    const previous = this.#last.get(key);
    if (previous !== undefined) this.#last.delete(key);
    else if (this.#last.size >= this.#max) this.#last.delete(this.#last.keys().next().value as string);
    this.#last.set(key, seq);
    if (previous === undefined) return 0;
    const first = seq - count + 1;
    return first > previous + 1 ? first - previous - 1 : 0;
  }

  /** Forgets `channel` (unsubscribed: what is sent to it meanwhile is not missed). */
  forget(channel: string): void {
    const suffix = `\n${channel}`;
    for (const key of this.#last.keys()) if (key.endsWith(suffix)) this.#last.delete(key);
  }
}
