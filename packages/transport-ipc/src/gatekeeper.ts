import { ClustrError, type DataFrame, type RunFrame } from '@clustr/protocol';
import {
  describeValue,
  encodeControlFrame,
  isGroupName,
  isOwnWorkerId,
  KILL_CHANNEL_PREFIX,
  nonCanonicalField,
  ONE_CHANNEL_PREFIX,
  PRESENCE_CHANNEL,
  PUBLIC_CHANNEL,
  ReportThrottle,
  RPC_CHANNEL_PREFIX,
} from '@clustr/protocol/internal';
import type { LinkCounters } from './ipc-stats.js';
import type { Outbox } from './outbox.js';

/** A child link as the gatekeeper sees it: who its subtree is, and what it subscribes to. */
export interface GuardedLink {
  /** The workerId this process assigned the child (its link's id). */
  readonly workerId: string;
  /** Names the child in reports, e.g. `child 3f2c…`. */
  readonly label: string;
  /** The members of the child's subtree (the child included, once joined): workerId → group. */
  readonly members: Map<string, string>;
  /** The child's own group, once it joined (the same as `members.get(workerId)`). */
  ownGroup: string | undefined;
  /** The groups of the subtree, with how many members have each. */
  readonly groups: Map<string, number>;
  /** The channels the subtree subscribes to (kept by the route table). */
  readonly counts: Map<string, number>;
  /** Frames and subscriptions refused, for `stats()`. */
  readonly counters: LinkCounters;
}

/** What the gatekeeper needs of the router. */
export interface GateHost {
  /** Where reports go (the transport's `onError`), throttled per child. */
  report(error: ClustrError): void;
  /** Cuts off a child past a hard cap. */
  disconnect(child: GuardedLink): void;
}

/** The workerId an rpc channel belongs to: `rpc:<workerId>.<pid>` or `rpc:<workerId>`. */
function rpcOwner(channel: string): string {
  const id = channel.slice(RPC_CHANNEL_PREFIX.length);
  const dot = id.lastIndexOf('.');
  return dot > 0 && INCARNATION_SUFFIX.test(id.slice(dot + 1)) ? id.slice(0, dot) : id;
}

const INCARNATION_SUFFIX = /^[0-9]{1,10}$/;

/** Most workerIds one `leave` frame names. */
const MAX_LEAVE_IDS = 10_000;

/**
 * Identity on IPC, enforced at the first hop. A parent knows each child's subtree (members
 * join through it); a frame from a child may speak only for a member of that subtree, and a
 * child may subscribe only to what its subtree may receive: `public`, its groups, its members'
 * private, `kill:`, `rpc:` and `one:` channels. Nothing else: `master` and `confirmation` reach only the root.
 * What breaks a rule is dropped, counted and reported as `ERR_CLUSTR_FORBIDDEN`, once per
 * child per second with a count. Every member joins upwards, so the root knows every workerId
 * of the tree and refuses a second process claiming one that is alive.
 */
export class Gatekeeper {
  /**
   * Every workerId a child's subtree holds or held, and which child (by its workerId, stable
   * across its restarts) owns it. An id stays its owner's after it leaves: a restarting worker
   * keeps its id, and nobody else may take it in between. Left ids are kept up to
   * `maxPerLink` per owner, the oldest forgotten first.
   */
  private readonly owners = new Map<string, string>();
  /** Left ids per owner, oldest first: the ones {@link owners} may forget. */
  private readonly retired = new Map<string, Set<string>>();
  private readonly throttle: ReportThrottle;
  private ownId: string | undefined;
  /** Refusals since this process started. */
  forbidden = 0;

  /** `up` is the queue towards the parent (joins and leaves go on up); undefined at the root. */
  constructor(
    private readonly host: GateHost,
    private readonly up: Outbox | undefined,
    private readonly maxPerLink: number,
  ) {
    this.throttle = new ReportThrottle((error) => host.report(error));
  }

  /** A child was adopted: its id is its own, from now on and across its restarts. */
  adopted(child: GuardedLink): void {
    this.owners.set(child.workerId, child.workerId);
  }

  /** This process's own workerId: no child may claim it. Joins this process upwards. */
  setSelf(workerId: string | undefined, group: string): void {
    this.ownId = workerId;
    if (workerId !== undefined) this.sendUp({ clustr: 1, type: 'join', workerId, group });
  }

  /** A `join` frame from `child` (or the implicit join of its first frame): true when admitted. */
  join(child: GuardedLink, workerId: string, group: string): boolean {
    const known = child.members.get(workerId);
    if (known !== undefined) {
      if (known === group) return true;
      return this.refuse(
        child,
        `member ${workerId} of group "${known}" joined again as group ${describeValue(group)}`,
      );
    }
    if (!isGroupName(group))
      return this.refuse(
        child,
        `member ${workerId} joined with group ${describeValue(group)}, not a group name a worker may take`,
      );
    if (workerId !== child.workerId) {
      if (!isOwnWorkerId(workerId))
        return this.refuse(
          child,
          `a member joined as ${describeValue(workerId)}, not a claimable workerId (a UUID)`,
        );
      const owner = this.owners.get(workerId);
      if (workerId === this.ownId || (owner !== undefined && owner !== child.workerId)) {
        return this.refuse(
          child,
          `a member joined as ${workerId}, a workerId of another subtree (alive, or between its restarts)`,
        );
      }
    }
    if (child.members.size >= this.maxPerLink) {
      this.refuse(child, `its subtree passed ${this.maxPerLink} members: disconnected`);
      this.host.disconnect(child);
      return false;
    }
    child.members.set(workerId, group);
    if (workerId === child.workerId) child.ownGroup = group;
    child.groups.set(group, (child.groups.get(group) ?? 0) + 1);
    this.owners.set(workerId, child.workerId);
    this.retired.get(child.workerId)?.delete(workerId);
    this.sendUp({ clustr: 1, type: 'join', workerId, group });
    return true;
  }

  /**
   * A `leave` frame from `child`: those members of its subtree are gone. Returns the channels
   * that were theirs alone (their private, `kill:`, `rpc:` and `one:` channels, a group nobody else in
   * the subtree has), whose subscriptions go with them.
   */
  leave(child: GuardedLink, workerIds: readonly string[]): string[] {
    const gone: string[] = [];
    const channels: string[] = [];
    for (const workerId of workerIds) {
      const group = child.members.get(workerId);
      if (workerId === child.workerId || group === undefined) continue;
      this.forget(child, workerId);
      gone.push(workerId);
      channels.push(
        workerId,
        KILL_CHANNEL_PREFIX + workerId,
        RPC_CHANNEL_PREFIX + workerId,
        ONE_CHANNEL_PREFIX + workerId,
      );
      if (!child.groups.has(group)) channels.push(group);
    }
    this.sendLeave(gone);
    return channels.filter((channel) => child.counts.has(channel));
  }

  /**
   * The child's link closed: its whole subtree leaves — but for what its next incarnation (a
   * reload's, linked while this one still ran) holds: those ids live on, upwards too.
   */
  childGone(child: GuardedLink, successor?: GuardedLink): void {
    const gone = [...child.members.keys()];
    for (const workerId of gone) this.forget(child, workerId);
    this.sendLeave(
      successor === undefined ? gone : gone.filter((workerId) => !successor.members.has(workerId)),
    );
  }

  /**
   * True when a data or run frame from `child` may pass: it holds only the wire's fields and
   * speaks for a member of the child's subtree, under that member's group. A child that never
   * joined (a script) joins with the meta of its first frame, if that meta is its own.
   */
  admit(child: GuardedLink, frame: DataFrame | RunFrame): boolean {
    const { workerId, group } = frame.meta;
    // Most frames are the child's own: two string compares before any map lookup.
    if (workerId === child.workerId && child.ownGroup === undefined) {
      // A child that never joined: its first frame's meta joins it (a refused join is reported once).
      if (!this.join(child, workerId, group)) return false;
    }
    const isMember =
      (workerId === child.workerId && group === child.ownGroup) ||
      (workerId !== undefined && child.members.get(workerId) === group);
    if (!isMember) {
      return this.refuse(
        child,
        `a frame on "${frame.channel}" claimed to come from ${describeValue(frame.meta)}, not a member of its subtree`,
      );
    }
    const extra = nonCanonicalField(frame);
    if (extra === undefined) return true;
    return this.refuse(
      child,
      `a frame on "${frame.channel}" carried the field "${extra}", which the wire does not define`,
    );
  }

  /**
   * The channels of a `sub` frame the child's subtree may receive; refused ones are reported.
   * `allowed.length < channels.length` means something was refused (the frame is not acked).
   * A child past its subscription cap is disconnected.
   */
  allowedChannels(child: GuardedLink, channels: readonly string[]): string[] {
    const allowed = channels.filter((channel) => this.mayReceive(child, channel));
    if (allowed.length < channels.length) {
      const refused = channels.find((channel) => !allowed.includes(channel));
      this.refuse(
        child,
        `subscribing to "${refused}" is not allowed for its subtree (allowed: "public", its groups, its members' workerIds, their kill, rpc and one channels)`,
      );
    }
    if (child.counts.size + allowed.length > this.maxPerLink) {
      this.refuse(child, `its subtree passed ${this.maxPerLink} subscriptions: disconnected`);
      this.host.disconnect(child);
      return [];
    }
    return allowed;
  }

  /** Sums up what the throttle held back (on close). */
  flush(): void {
    this.throttle.flush();
  }

  private mayReceive(child: GuardedLink, channel: string): boolean {
    if (channel === PUBLIC_CHANNEL || channel === PRESENCE_CHANNEL || child.members.has(channel)) return true;
    if (channel.startsWith(KILL_CHANNEL_PREFIX))
      return child.members.has(channel.slice(KILL_CHANNEL_PREFIX.length));
    // A member's requests and replies: `rpc:<workerId>.<pid>`, one per incarnation (or a bare
    // `rpc:<workerId>`). A master's rpc id (`master.<uuid>`) is no member's workerId.
    if (channel.startsWith(RPC_CHANNEL_PREFIX))
      return (
        child.members.has(channel.slice(RPC_CHANNEL_PREFIX.length)) || child.members.has(rpcOwner(channel))
      );
    if (channel.startsWith(ONE_CHANNEL_PREFIX))
      return child.members.has(channel.slice(ONE_CHANNEL_PREFIX.length));
    return child.groups.has(channel);
  }

  private forget(child: GuardedLink, workerId: string): boolean {
    const group = child.members.get(workerId);
    if (group === undefined) return false;
    child.members.delete(workerId);
    if (workerId === child.workerId) child.ownGroup = undefined;
    const count = child.groups.get(group)!;
    if (count > 1) child.groups.set(group, count - 1);
    else child.groups.delete(group);
    this.retire(child.workerId, workerId);
    return true;
  }

  /** `workerId` left `owner`'s subtree: it stays reserved for it, up to `maxPerLink` left ids. */
  private retire(owner: string, workerId: string): void {
    let left = this.retired.get(owner);
    if (left === undefined) {
      left = new Set();
      this.retired.set(owner, left);
    }
    left.add(workerId);
    if (left.size <= this.maxPerLink) return;
    const oldest = left.values().next().value as string;
    left.delete(oldest);
    if (this.owners.get(oldest) === owner) this.owners.delete(oldest);
  }

  private refuse(child: GuardedLink, reason: string): false {
    child.counters.forbidden++;
    this.forbidden++;
    this.throttle.add(
      child.label,
      new ClustrError('ERR_CLUSTR_FORBIDDEN', `${child.label}: ${reason}; dropped`, {
        details: { workerId: child.workerId },
      }),
    );
    return false;
  }

  private sendLeave(workerIds: string[]): void {
    for (let i = 0; i < workerIds.length; i += MAX_LEAVE_IDS) {
      this.sendUp({ clustr: 1, type: 'leave', workerIds: workerIds.slice(i, i + MAX_LEAVE_IDS) });
    }
  }

  private sendUp(frame: Parameters<typeof encodeControlFrame>[0]): void {
    if (this.up === undefined) return;
    const line = encodeControlFrame(frame);
    this.up.push(line, line.length, true);
  }
}
