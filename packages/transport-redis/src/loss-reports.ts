import { ClustrError } from '@clustr/protocol';

/** Most (sender, channel) episodes open at once; past it, new ones share one summary. */
const MAX_EPISODES = 1024;
const OVERFLOW = '(other senders)';

interface Episode {
  readonly sender: string;
  readonly channel: string;
  /** Messages missed since the episode's last report. */
  held: number;
}

/**
 * Reports lost messages (`ERR_CLUSTR_MESSAGES_LOST`) once per episode and sender and channel: the
 * first gap at once, later gaps of the same sender on the same channel summed up in one report
 * per `windowMs` while they go on; a window without a gap ends the episode. The `count`s of the
 * reports add up exactly to the messages missed (what `stats().missed` counts), so a monitor can
 * sum them.
 */
export class LossReports {
  readonly #episodes = new Map<string, Episode>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly report: (error: ClustrError) => void,
    private readonly windowMs = 1000,
  ) {}

  /** `count` messages of `sender` on `channel` (the Redis channel) never arrived. */
  add(sender: string, channel: string, count: number): void {
    let key = `${sender}\n${channel}`;
    let episode = this.#episodes.get(key);
    if (episode === undefined && this.#episodes.size >= MAX_EPISODES) {
      key = OVERFLOW;
      episode = this.#episodes.get(key);
    }
    if (episode !== undefined) {
      episode.held += count;
      return;
    }
    const isOverflow = key === OVERFLOW;
    this.#episodes.set(key, {
      sender: isOverflow ? OVERFLOW : sender,
      channel: isOverflow ? OVERFLOW : channel,
      held: 0,
    });
    this.#timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    this.report(lost(sender, channel, count, false));
  }

  /** Ends the window: sums up what it held; episodes without news end (on close, in tests). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [key, episode] of this.#episodes) {
      if (episode.held === 0) {
        this.#episodes.delete(key);
        continue;
      }
      const { sender, channel, held } = episode;
      episode.held = 0;
      this.report(lost(sender, channel, held, true));
    }
    if (this.#episodes.size > 0) this.#timer = setTimeout(() => this.flush(), this.windowMs).unref();
  }

  /** Sums up what is held and ends every episode (the transport is closing). */
  close(): void {
    this.flush();
    this.#episodes.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function lost(sender: string, channel: string, count: number, isSummary: boolean): ClustrError {
  const from = sender === OVERFLOW ? 'other senders' : `sender ${sender}`;
  const what = isSummary ? `${count} more messages` : `${count} messages`;
  return new ClustrError(
    'ERR_CLUSTR_MESSAGES_LOST',
    `${what} of ${from} on redis channel "${channel}" never arrived (a gap in its numbering: Redis pub/sub is at-most-once; lost while this subscriber or that publisher was cut off, or dropped by the server)`,
    { details: { sender, channel, count } },
  );
}
