import { ClustrError, type Envelope, type Meta } from '@clustr/protocol';
import type { LeaveReason, Member, ResolvedPresenceOptions } from './presence-types.js';
import { type PresenceMessage, readPresenceMessage } from './presence-wire.js';

/** What presence needs of its process. */
export interface PresenceHost {
  /** Publishes a presence message on the presence channel, as this process. */
  publish(message: PresenceMessage): void;
  /** Reports a bad presence message (throttled by the caller's transport reports). */
  report(error: ClustrError): void;
  /** This process's record, with fresh stats: called once per heartbeat. */
  self(): Member;
  /** Records of the foreign children this process announces, with what it can measure of them. */
  announced(): Member[];
}

type JoinHandler = (member: Member) => void;
type LeaveHandler = (member: Member, reason: LeaveReason) => void;

interface Entry {
  member: Member;
  /** `performance.now()` of its latest heartbeat. */
  seenAt: number;
}

/** The group a master's messages carry. */
const MASTER_GROUP = 'master';

/**
 * How long the incarnation of a member that exited or closed is remembered, so that a heartbeat
 * still on its way cannot bring it back. A member that timed out gets none: nobody saw it go, so
 * a heartbeat after the timeout (a partition healed, its backlog delivered) says it is back.
 */
const TOMBSTONE_MS = 60_000;

/**
 * Who is alive, here and everywhere: every process's heartbeat (its record and stats) every
 * `intervalMs` on the presence channel; a member whose heartbeats stop for `timeoutMs` leaves
 * with `timeout`; a parent that sees a child exit says so (`exit`); a process that closes says
 * goodbye (`closed`). A newcomer says hello and every member answers with its heartbeat at once,
 * so it knows the cluster within a round trip, not after a full interval.
 */
export class Presence {
  private readonly table = new Map<string, Entry>();
  /** Left incarnations: member id → its `startedAt`. */
  private readonly tombstones = new Map<string, { startedAt: number; until: number }>();
  private readonly joins = new Set<JoinHandler>();
  private readonly leaves = new Set<LeaveHandler>();
  private timer: NodeJS.Timeout | undefined;
  private selfId: string | undefined;
  private latestSelf: Member | undefined;
  private isBeatDue = false;
  /**
   * Grows whenever the answer to "who can take a request" may have changed: a join, a leave, a
   * member's state or methods. What is computed from the table may be cached until it grows.
   */
  generation = 0;

  constructor(
    private readonly host: PresenceHost,
    /** The options in force; a child takes its parent's before it starts. */
    public options: ResolvedPresenceOptions,
  ) {}

  /** Every member known now, this process included. */
  members(): Member[] {
    const list = this.latestSelf === undefined ? [] : [this.latestSelf];
    for (const { member } of this.table.values()) list.push(member);
    return list;
  }

  /** The member of that id (this process included), or undefined. */
  get(id: string): Member | undefined {
    if (id === this.selfId) return this.latestSelf;
    return this.table.get(id)?.member;
  }

  /**
   * This process's record changed (e.g. its methods): everyone hears a heartbeat now, not after
   * the interval. Changes of one turn make one heartbeat.
   */
  beatSoon(): void {
    if (this.timer === undefined || this.isBeatDue) return;
    this.isBeatDue = true;
    queueMicrotask(() => {
      this.isBeatDue = false;
      if (this.timer !== undefined) this.beat();
    });
  }

  onJoin(handler: JoinHandler): () => void {
    this.joins.add(handler);
    return () => this.joins.delete(handler);
  }

  onLeave(handler: LeaveHandler): () => void {
    this.leaves.add(handler);
    return () => this.leaves.delete(handler);
  }

  /** This process is in the cluster: hello, a first heartbeat, then one every interval. */
  start(): void {
    if (this.timer !== undefined) return;
    this.latestSelf = this.host.self();
    this.selfId = this.latestSelf.id;
    this.host.publish({ hello: { id: this.selfId } });
    this.beat();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs).unref();
  }

  /**
   * This process leaves: goodbye, and no more heartbeats. `reason` is `closed`, or, for a process
   * obeying a kill order, the exit its parent is about to see (so both say the same).
   */
  stop(reason: LeaveReason = { kind: 'closed' }): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    // Its incarnation: the goodbye of a retired one must not end the record of its successor.
    const startedAt = this.latestSelf?.startedAt;
    if (this.selfId !== undefined) this.host.publish({ leave: { id: this.selfId, reason, startedAt } });
    for (const member of this.host.announced())
      this.host.publish({ leave: { id: member.id, reason: { kind: 'closed' } } });
  }

  /** A child of this process exited (its parent is the one that sees it): everyone hears why. */
  childExited(id: string, code: number | null, signal: string | null): void {
    const reason: LeaveReason = { kind: 'exit', code, signal };
    this.host.publish({ leave: { id, reason } });
  }

  /** A message on the presence channel. */
  receive(envelope: Envelope): void {
    const message = readPresenceMessage(envelope.data);
    if (message === undefined || !this.mayAnnounce(envelope.meta, message)) {
      this.host.report(
        new ClustrError(
          'ERR_CLUSTR_BAD_FRAME',
          'a presence message that is not a heartbeat, a leave or a hello of its sender (or of a child it announces): dropped',
          {
            details: { from: envelope.meta },
          },
        ),
      );
      return;
    }
    if ('hello' in message) {
      if (message.hello.id !== this.selfId) this.beat();
    } else if ('beat' in message) this.heard(message.beat);
    else {
      const { id, reason, startedAt } = message.leave;
      const entry = this.table.get(id);
      // The goodbye of an incarnation that was already replaced: the member lives on.
      if (entry !== undefined && startedAt !== undefined && entry.member.startedAt !== startedAt) return;
      this.left(id, reason);
    }
  }

  /**
   * A process speaks for itself; a parent also for the foreign children it announces; a master
   * (the root: it vouches for its whole tree) for anyone.
   */
  private mayAnnounce(meta: Meta, message: PresenceMessage): boolean {
    if (meta.workerId === undefined) return meta.group === MASTER_GROUP;
    if ('hello' in message) return true;
    const member = 'beat' in message ? message.beat : this.table.get(message.leave.id)?.member;
    if (member === undefined) return true;
    // Itself, or its parent: a worker's member id is its workerId.
    return member.workerId === meta.workerId || member.parentId === meta.workerId;
  }

  private tick(): void {
    this.beat();
    const now = performance.now();
    for (const [id, entry] of this.table) {
      if (now - entry.seenAt > this.options.timeoutMs) this.left(id, { kind: 'timeout' });
    }
    for (const [id, tombstone] of this.tombstones) if (tombstone.until < now) this.tombstones.delete(id);
  }

  private beat(): void {
    if (this.selfId === undefined) return;
    const previous = this.latestSelf;
    this.latestSelf = this.host.self();
    if (previous === undefined || !isSameOffer(previous, this.latestSelf)) this.generation++;
    this.host.publish({ beat: this.latestSelf });
    for (const member of this.host.announced()) this.host.publish({ beat: member });
  }

  private heard(member: Member): void {
    if (member.id === this.selfId) return;
    const tombstone = this.tombstones.get(member.id);
    if (tombstone !== undefined && tombstone.startedAt === member.startedAt) return;
    const entry = this.table.get(member.id);
    const now = performance.now();
    // An older incarnation still beating while its successor runs (a reload's overlap): stale.
    if (entry !== undefined && member.startedAt < entry.member.startedAt) return;
    if (entry !== undefined && entry.member.startedAt === member.startedAt) {
      if (!isSameOffer(entry.member, member)) this.generation++;
      entry.member = member;
      entry.seenAt = now;
      return;
    }
    this.table.set(member.id, { member, seenAt: now });
    this.generation++;
    if (entry !== undefined) {
      // A new incarnation while the old one is still listed: it replaced it (a rolling reload; a
      // parent that saw the old one exit would have said so first). Swapped in one step — the
      // member is never missing from the table — and the tombstone keeps the old one's late beats out.
      const old = entry.member;
      this.tombstones.set(member.id, { startedAt: old.startedAt, until: now + TOMBSTONE_MS });
      const gone: Member = { ...old, state: 'leaving' };
      for (const handler of this.leaves) this.call(() => handler(gone, { kind: 'reload' }));
    }
    for (const handler of this.joins) this.call(() => handler(member));
  }

  private left(id: string, reason: LeaveReason): void {
    const entry = this.table.get(id);
    if (entry === undefined) return;
    this.table.delete(id);
    this.generation++;
    // A member that timed out may come back (a healed partition): only an exit or a goodbye is final.
    if (reason.kind !== 'timeout')
      this.tombstones.set(id, { startedAt: entry.member.startedAt, until: performance.now() + TOMBSTONE_MS });
    const member: Member = { ...entry.member, state: 'leaving' };
    for (const handler of this.leaves) this.call(() => handler(member, reason));
  }

  private call(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.host.report(
        new ClustrError('ERR_CLUSTR_HANDLER_FAILED', 'a presence handler threw', { cause: error }),
      );
    }
  }
}

/** True when two records of one member answer the same requests the same way. */
function isSameOffer(a: Member, b: Member): boolean {
  if (a.state !== b.state || a.rpc !== b.rpc) return false;
  const x = a.methods;
  const y = b.methods;
  if (x === y) return true;
  if (x === undefined || y === undefined || x.length !== y.length) return false;
  return x.every((method, i) => method === y[i]);
}
