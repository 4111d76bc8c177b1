import type { Envelope } from '@clustr/protocol';

/** How a message reached a process: the handler it arrived on. */
export type ReceiveKind = 'public' | 'group' | 'private';

/** One numbered message of a stream: stream name, sender epoch (its pid), sequence number. */
export interface StreamMessage {
  s: string;
  e: number;
  q: number;
  /** Filler, to give messages a size. */
  p?: string;
}

/** The end marker of a stream: `fin` messages (0 … fin-1) were published before it. */
export interface StreamFin {
  s: string;
  e: number;
  fin: number;
}

/** What one receiver saw of one sender's stream on one handler. */
export interface StreamSummary {
  /** The sender's workerId, or `master`. */
  sender: string;
  kind: ReceiveKind;
  stream: string;
  epoch: number;
  /** Messages received, duplicates included. */
  count: number;
  /** Distinct sequence numbers received. */
  distinct: number;
  /** Messages whose sequence number had been received before. */
  dup: number;
  /** Messages that arrived after a higher sequence number of the same stream. */
  reordered: number;
  /** Highest sequence number received, -1 for none. */
  max: number;
  /** The fin marker's count, when it arrived. */
  fin: number | undefined;
  /** Lowest sequence number received, -1 for none. */
  min: number;
}

interface StreamState extends StreamSummary {
  seen: Set<number>;
}

function isStreamMessage(data: unknown): data is StreamMessage | StreamFin {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    typeof d.s === 'string' &&
    typeof d.e === 'number' &&
    (typeof d.q === 'number' || typeof d.fin === 'number')
  );
}

/**
 * Checks numbered streams as they arrive: counts, duplicates, reordering and fin markers per
 * (sender, handler, stream, epoch). Used by the fixtures and by the test's own master.
 */
export class StreamRecorder {
  readonly #streams = new Map<string, StreamState>();
  #fins = 0;
  readonly #bySender = new Map<string, number>();
  /** Messages that were not stream messages (probes and the like). */
  other = 0;
  /** Called after every recorded message. */
  onChange: (() => void) | undefined;

  /** Fin markers received so far. */
  get fins(): number {
    return this.#fins;
  }

  /** Records one delivered message. Returns false when it was not a stream message. */
  record(kind: ReceiveKind, message: Envelope): boolean {
    const { data } = message;
    if (!isStreamMessage(data)) {
      this.other++;
      return false;
    }
    const sender = message.meta.workerId ?? 'master';
    const key = `${sender}|${kind}|${data.s}|${data.e}`;
    let state = this.#streams.get(key);
    if (state === undefined) {
      state = {
        sender,
        kind,
        stream: data.s,
        epoch: data.e,
        count: 0,
        distinct: 0,
        dup: 0,
        reordered: 0,
        max: -1,
        min: -1,
        fin: undefined,
        seen: new Set(),
      };
      this.#streams.set(key, state);
    }
    if ('fin' in data && typeof data.fin === 'number') {
      if (state.fin === undefined) this.#fins++;
      state.fin = data.fin;
    } else {
      const q = (data as StreamMessage).q;
      state.count++;
      const senderKey = `${sender}|${data.e}`;
      this.#bySender.set(senderKey, (this.#bySender.get(senderKey) ?? 0) + 1);
      if (state.seen.has(q)) state.dup++;
      else {
        state.seen.add(q);
        state.distinct++;
        if (q < state.max) state.reordered++;
      }
      if (q > state.max) state.max = q;
      if (state.min === -1 || q < state.min) state.min = q;
    }
    this.onChange?.();
    return true;
  }

  /** Stream messages received from `sender` (workerId or `master`) in its epoch `epoch`. */
  countOf(sender: string, epoch: number): number {
    return this.#bySender.get(`${sender}|${epoch}`) ?? 0;
  }

  /** A snapshot of every stream seen, without the per-message sets. */
  summary(): StreamSummary[] {
    return [...this.#streams.values()].map(({ seen: _seen, ...rest }) => ({ ...rest }));
  }
}
