import type { LeaveReason, Member, MemberStats } from './presence-types.js';
import { readPresenceMessage } from './presence-wire.js';

/** A member's traffic per second, between two of its heartbeats. */
export interface MemberRates {
  messagesInPerSec: number;
  messagesOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
}

/** A member with its rates, once two of its heartbeats were heard far enough apart. */
export type MemberView = Member & { rates?: MemberRates };

/** A member that left, and why. */
export interface LeftMember {
  member: Member;
  reason: LeaveReason;
  /** Epoch milliseconds when it was seen to leave. */
  leftAt: number;
}

/** How long a member that left is kept, for `clustr top` to grey it out. */
export const LEFT_RETENTION_MS = 10_000;
/** Two heartbeats closer than this (one answering a hello right after a regular one) make no rate. */
const MIN_SPAN_MS = 200;
/** Heartbeats kept per member: enough to skip a close pair. */
const SAMPLES_KEPT = 3;
/** Bounds of what a watch keeps, whatever its peers send. */
const MAX_TRACKED = 10_000;
const MAX_LEFT = 1_000;

interface Sample {
  /** `performance.now()` when the heartbeat arrived. */
  at: number;
  stats: MemberStats;
}

const COUNTERS = ['messagesIn', 'messagesOut', 'bytesIn', 'bytesOut'] as const;

const sameCounters = (a: MemberStats, b: MemberStats) => COUNTERS.every((key) => a[key] === b[key]);
const perSecond = (delta: number, ms: number) => Math.round((delta / ms) * 10_000) / 10;

/**
 * Watches heartbeats as they arrive, to tell each member's message and byte rates (the stats
 * carry counters, not times) and who left lately. A master keeps one for its control socket;
 * the `clustr` command keeps one when it listens to a Redis namespace itself.
 */
export class MemberWatch {
  private readonly samples = new Map<string, Sample[]>();
  private left: LeftMember[] = [];

  /** A message on the presence channel, as it arrived: a heartbeat's counters become a sample. */
  heard(data: unknown, at = performance.now()): void {
    const message = readPresenceMessage(data);
    if (message === undefined || !('beat' in message) || message.beat.stats === undefined) return;
    this.sample(message.beat.id, message.beat.stats, at);
  }

  /** A heartbeat of `id` carrying `stats` arrived at `at` (`performance.now()`). */
  sample(id: string, stats: MemberStats, at = performance.now()): void {
    let list = this.samples.get(id);
    const last = list?.at(-1);
    // Counters that went back belong to a new incarnation: its rates start afresh.
    if (list === undefined || (last !== undefined && COUNTERS.some((key) => stats[key] < last.stats[key]))) {
      list = [];
      this.samples.delete(id);
      if (this.samples.size >= MAX_TRACKED) this.samples.delete(this.samples.keys().next().value!);
      this.samples.set(id, list);
    }
    list.push({ at, stats });
    if (list.length > SAMPLES_KEPT) list.shift();
  }

  /** `member` left: it is kept for {@link LEFT_RETENTION_MS} with its reason. */
  leave(member: Member, reason: LeaveReason, leftAt = Date.now()): void {
    this.samples.delete(member.id);
    this.left.push({ member, reason, leftAt });
    if (this.left.length > MAX_LEFT) this.left.shift();
  }

  /**
   * The members with their rates, and those that left within the retention. A rate comes from
   * the latest sample only when it is the heartbeat the member's record shows (a beat presence
   * refused is never counted), against the newest earlier one at least 200 ms older.
   */
  view(members: readonly Member[], now = Date.now()): { members: MemberView[]; left: LeftMember[] } {
    this.left = this.left.filter((entry) => now - entry.leftAt < LEFT_RETENTION_MS);
    const known = new Set<string>();
    const views = members.map((member): MemberView => {
      known.add(member.id);
      const rates = member.stats === undefined ? undefined : this.rates(member.id, member.stats);
      return rates === undefined ? member : { ...member, rates };
    });
    for (const id of this.samples.keys()) if (!known.has(id)) this.samples.delete(id);
    return { members: views, left: [...this.left] };
  }

  private rates(id: string, stats: MemberStats): MemberRates | undefined {
    const list = this.samples.get(id);
    const last = list?.at(-1);
    if (list === undefined || last === undefined || !sameCounters(last.stats, stats)) return undefined;
    let earlier: Sample | undefined;
    for (const sample of list) if (last.at - sample.at >= MIN_SPAN_MS) earlier = sample;
    if (earlier === undefined) return undefined;
    const ms = last.at - earlier.at;
    return {
      messagesInPerSec: perSecond(last.stats.messagesIn - earlier.stats.messagesIn, ms),
      messagesOutPerSec: perSecond(last.stats.messagesOut - earlier.stats.messagesOut, ms),
      bytesInPerSec: perSecond(last.stats.bytesIn - earlier.stats.bytesIn, ms),
      bytesOutPerSec: perSecond(last.stats.bytesOut - earlier.stats.bytesOut, ms),
    };
  }
}
