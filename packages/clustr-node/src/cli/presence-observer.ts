import { DEFAULT_PRESENCE_TIMEOUT_MS, type Member } from '@clustr/core';
import { MemberWatch, readPresenceMessage } from '@clustr/core/internal';
import type { Snapshot } from './member-table.js';

/** Left incarnations remembered, for a `top` left open on a cluster that churns. */
const MAX_GONE = 10_000;

interface Entry {
  member: Member;
  /** `performance.now()` of its latest heartbeat. */
  seenAt: number;
}

/**
 * The presence table of a process that listens without being a member: the command over Redis.
 * It never sends a heartbeat, so no member ever lists it; it only says hello, which makes every
 * member answer with its heartbeat at once. A member whose heartbeats stop for the default
 * presence timeout leaves with `timeout`, as in the members' own tables.
 */
export class PresenceObserver {
  private readonly table = new Map<string, Entry>();
  /** Incarnations that left (id → startedAt): a late heartbeat does not bring one back. */
  private readonly gone = new Map<string, number>();
  private readonly watch = new MemberWatch();

  /** How many heartbeats arrived, for the caller to know whether anyone answered. */
  beats = 0;

  /** A message on the presence channel. */
  receive(data: unknown, at = performance.now()): void {
    const message = readPresenceMessage(data);
    if (message === undefined || 'hello' in message) return;
    if ('beat' in message) {
      const member = message.beat;
      if (this.gone.get(member.id) === member.startedAt) return;
      this.beats++;
      this.table.set(member.id, { member, seenAt: at });
      if (member.stats !== undefined) this.watch.sample(member.id, member.stats, at);
      return;
    }
    const entry = this.table.get(message.leave.id);
    if (entry !== undefined) this.remove(entry.member, message.leave.reason);
  }

  /** The members now, with rates, and those that left lately. */
  snapshot(now = performance.now()): Snapshot {
    for (const { member, seenAt } of this.table.values()) {
      if (now - seenAt > DEFAULT_PRESENCE_TIMEOUT_MS) this.remove(member, { kind: 'timeout' });
    }
    return this.watch.view([...this.table.values()].map((entry) => entry.member));
  }

  private remove(member: Member, reason: Parameters<MemberWatch['leave']>[1]): void {
    this.table.delete(member.id);
    this.gone.set(member.id, member.startedAt);
    if (this.gone.size > MAX_GONE) this.gone.delete(this.gone.keys().next().value!);
    this.watch.leave(member, reason);
  }
}
