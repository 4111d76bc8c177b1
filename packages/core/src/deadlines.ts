/** One timeout length: its deadlines in the order they were set (so in deadline order), one timer. */
interface Lane {
  readonly timeoutMs: number;
  readonly at: number[];
  readonly ids: number[];
  head: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The timeouts of many requests with few timer operations. A `setTimeout` and `clearTimeout` per
 * request cost microseconds each (a timer list created and dropped around every request, one at
 * a time): here deadlines of one length queue in order, one timer per length waits for the
 * earliest, and a request that settles is not cleared — when its deadline comes, `expire` finds
 * it settled and nothing happens (until then it holds two numbers: at 50,000 requests a second
 * and a 5 s timeout, a few MB). The timers hold the process only while `hold(true)`.
 */
export class Deadlines {
  readonly #lanes = new Map<number, Lane>();
  #isHeld = false;

  /** `expire(id)` is called once the deadline of `id` passed (it may have settled meanwhile). */
  constructor(private readonly expire: (id: number) => void) {}

  /** Calls `expire(id)` in `timeoutMs`. */
  add(id: number, timeoutMs: number): void {
    let lane = this.#lanes.get(timeoutMs);
    if (lane === undefined) {
      lane = { timeoutMs, at: [], ids: [], head: 0, timer: undefined };
      this.#lanes.set(timeoutMs, lane);
    }
    lane.at.push(performance.now() + timeoutMs);
    lane.ids.push(id);
    if (lane.timer === undefined) this.#arm(lane, timeoutMs);
  }

  /** Whether the timers keep the process alive: while something waits for its deadline. */
  hold(isHeld: boolean): void {
    if (isHeld === this.#isHeld) return;
    this.#isHeld = isHeld;
    for (const lane of this.#lanes.values()) {
      if (isHeld) lane.timer?.ref();
      else lane.timer?.unref();
    }
  }

  /** Stops every timer (the process leaves). */
  clear(): void {
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer);
    this.#lanes.clear();
  }

  #arm(lane: Lane, delayMs: number): void {
    lane.timer = setTimeout(() => this.#fire(lane), Math.max(1, Math.ceil(delayMs)));
    if (!this.#isHeld) lane.timer.unref();
  }

  #fire(lane: Lane): void {
    lane.timer = undefined;
    const now = performance.now();
    const { at, ids } = lane;
    while (lane.head < at.length && at[lane.head]! <= now) this.expire(ids[lane.head++]!);
    if (lane.head > 1024 && lane.head * 2 > at.length) {
      at.splice(0, lane.head);
      ids.splice(0, lane.head);
      lane.head = 0;
    }
    if (lane.head < at.length) this.#arm(lane, at[lane.head]! - now);
    // Drained: a length used once does not keep a lane.
    else if (this.#lanes.get(lane.timeoutMs) === lane) this.#lanes.delete(lane.timeoutMs);
  }
}
