/**
 * Most channels whose audience the publisher remembers. Past it the channel published to least
 * recently is forgotten: a backlog to it after a reconnect then goes out without waiting for its
 * subscribers (as to a channel never published to), which costs at most that wait.
 * @default 10000
 */
export const MAX_AUDIENCE_CHANNELS = 10_000;

/**
 * How many subscribers the last PUBLISH to each channel reached, for the backlog's wait after a
 * reconnect. Bounded, least recently published first out: a process that publishes to ever new
 * channels (a worker's private channel per job, an attacker's choice of names relayed from a
 * child) must not grow it without limit.
 */
export class AudienceLog {
  readonly #reached = new Map<string, number>();
  readonly #max: number;

  constructor(max = MAX_AUDIENCE_CHANNELS) {
    this.#max = max;
  }

  /** Channels remembered. */
  get size(): number {
    return this.#reached.size;
  }

  /** Subscribers the last PUBLISH to `channel` reached; 0 when unknown or forgotten. */
  get(channel: string): number {
    return this.#reached.get(channel) ?? 0;
  }

  /** Notes a PUBLISH reply; `channel` becomes the most recently used. */
  set(channel: string, reached: number): void {
    // Delete first: a Map keeps insertion order, so re-inserting moves the channel to the end.
    if (!this.#reached.delete(channel) && this.#reached.size >= this.#max) {
      const oldest = this.#reached.keys().next();
      if (oldest.done !== true) this.#reached.delete(oldest.value);
    }
    this.#reached.set(channel, reached);
  }
}
