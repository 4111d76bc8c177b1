import type { ReceiveKind, StreamSummary } from './stream-recorder.js';

/** One stream a receiver must have got. */
export interface Expectation {
  receiver: string;
  sender: string;
  kind: ReceiveKind;
  stream: string;
  /** Exactly these many messages, 0 … count-1, each once, in order. */
  count: number;
  /** The sender's epoch (pid), when it matters. */
  epoch?: number;
  /**
   * Messages may be missing (pub/sub across connection faults): they count as `missing` but are
   * no problem. Duplicates, reordering, numbers beyond `count` and the fin marker still are.
   */
  isLossy?: boolean;
}

/** The sums over every checked stream. */
export interface CheckTotals {
  expected: number;
  delivered: number;
  missing: number;
  dup: number;
  reordered: number;
  /** Messages a receiver got on a stream it should not have received at all. */
  misrouted: number;
  /** Streams whose fin marker never arrived or did not give the count the sender published. */
  badFins: number;
  /** The first few problems, in words. */
  problems: string[];
}

/** A fresh, zeroed {@link CheckTotals}. */
export function emptyTotals(): CheckTotals {
  return {
    expected: 0,
    delivered: 0,
    missing: 0,
    dup: 0,
    reordered: 0,
    misrouted: 0,
    badFins: 0,
    problems: [],
  };
}

function note(totals: CheckTotals, problem: string): void {
  if (totals.problems.length < 10) totals.problems.push(problem);
}

/**
 * Checks every expectation against what each receiver reported, and (for the stream names
 * given in `strictStreams`) that nothing arrived where it was not expected.
 */
export function checkStreams(
  received: ReadonlyMap<string, readonly StreamSummary[]>,
  expectations: readonly Expectation[],
  strictStreams: readonly string[] = [],
): CheckTotals {
  const totals = emptyTotals();
  const used = new Set<StreamSummary>();
  for (const want of expectations) {
    totals.expected += want.count;
    const got = (received.get(want.receiver) ?? []).find(
      (s) =>
        s.sender === want.sender &&
        s.kind === want.kind &&
        s.stream === want.stream &&
        (want.epoch === undefined || s.epoch === want.epoch),
    );
    if (got === undefined) {
      totals.missing += want.count;
      totals.badFins++;
      note(totals, `${want.receiver} got nothing of ${want.sender}'s ${want.kind} stream "${want.stream}"`);
      continue;
    }
    used.add(got);
    const inRange = Math.min(got.distinct, want.count);
    totals.delivered += inRange;
    totals.missing += want.count - inRange;
    totals.dup += got.dup;
    totals.reordered += got.reordered;
    const isShort = !want.isLossy && (got.distinct !== want.count || got.max !== want.count - 1);
    if (isShort || got.max >= want.count || got.dup > 0 || got.reordered > 0) {
      note(
        totals,
        `${want.receiver} ← ${want.sender} ${want.kind} "${want.stream}": ${got.distinct}/${want.count} distinct, max ${got.max}, ${got.dup} dup, ${got.reordered} reordered`,
      );
    }
    if (got.fin !== want.count) {
      totals.badFins++;
      note(
        totals,
        `${want.receiver} ← ${want.sender} ${want.kind} "${want.stream}": fin ${got.fin} ≠ ${want.count}`,
      );
    }
  }
  for (const [receiver, streams] of received) {
    for (const s of streams) {
      if (used.has(s) || !strictStreams.includes(s.stream)) continue;
      totals.misrouted += s.count;
      note(
        totals,
        `${receiver} got ${s.count} unexpected ${s.kind} messages of "${s.stream}" from ${s.sender}`,
      );
    }
  }
  return totals;
}

/** Sums duplicates and reordering over streams whose completeness cannot be expected (killed senders). */
export function checkOrderOnly(
  streams: readonly StreamSummary[],
  totals: CheckTotals,
  receiver: string,
): void {
  for (const s of streams) {
    totals.dup += s.dup;
    totals.reordered += s.reordered;
    if (s.dup > 0 || s.reordered > 0) {
      note(
        totals,
        `${receiver} ← ${s.sender} (epoch ${s.epoch}) ${s.kind}: ${s.dup} dup, ${s.reordered} reordered`,
      );
    }
  }
}
