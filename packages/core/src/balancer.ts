import { isOwnWorkerId, MASTER_CHANNEL, oneChannel } from '@clustr/protocol/internal';
import type { Member } from './presence-types.js';

/** What the balancer reads of presence. */
export interface BalancerPresence {
  /** This process's member id. */
  readonly id: string;
  members(): Member[];
  get(id: string): Member | undefined;
  /** Grows whenever who can take a request may have changed. */
  readonly generation: number;
}

/** Whether a member answers `method` (this process answers from its own handlers, not its last record). */
export type Answers = (member: Member, method: string) => boolean;

/** Why there is nobody to pick, in words for an `ERR_CLUSTR_NO_RESPONDER`. */
export type NoPick = { readonly reason: string };

/** The workerId every master carries. */
const MASTER_WORKER_ID = 'master';

/** A round-robin counter, mutable in place: one lookup finds and advances it. */
interface Turn {
  next: number;
}

/** The last group picked from, with its candidates and counter, while presence stays the same. */
interface LastPick {
  readonly target: string;
  readonly key: string;
  readonly candidates: readonly Member[];
  readonly turn: Turn;
  /** For `deliver: 'one'`: each candidate's `one:<workerId>` channel, made on the first such pick. */
  channels: readonly string[] | undefined;
}

/**
 * Chooses the member a request or a one-of-group message goes to, from presence: a workerId
 * names one member; `"master"` this process's master; anything else is a group, whose
 * candidates (members that answer the method, or for `deliver: 'one'` every member that listens
 * to its rpc channel) are taken in a stable order (sorted ids), round-robin per (group, method).
 * Candidate lists are cached until presence changes.
 */
export class Balancer {
  /** Per group, per method: the next round-robin turn (kept across presence changes). */
  readonly #turns = new Map<string, Map<string, Turn>>();
  /** A burst to one group skips every lookup: its candidates and counter are kept here. */
  #last: LastPick | undefined;
  /** Per group, per method (`''` for deliver: 'one'): its candidates, until presence changes. */
  readonly #candidates = new Map<string, Map<string, readonly Member[]>>();
  #generation = -1;
  #master: Member | NoPick | undefined;

  constructor(
    private readonly presence: BalancerPresence,
    private readonly answers: Answers,
  ) {}

  /** This process's own handlers changed: what was cached from them is stale. */
  invalidate(): void {
    this.#generation = -1;
    this.#last = undefined;
  }

  /**
   * The member `target` names that answers `method` (`undefined`: any member of the group that
   * listens, for `deliver: 'one'`), skipping the member ids in `tried`; or why there is none.
   */
  pick(target: string, method: string | undefined, tried?: ReadonlySet<string>): Member | NoPick {
    this.#refresh();
    const key = method ?? '';
    const last = this.#last;
    if (
      last !== undefined &&
      last.target === target &&
      last.key === key &&
      (tried === undefined || tried.size === 0)
    )
      return last.candidates[last.turn.next++ % last.candidates.length]!;
    // Cached only for groups, until presence changes: a burst to a group skips the lookups below.
    let byMethod = this.#candidates.get(target);
    let candidates = byMethod?.get(key);
    if (candidates === undefined) {
      if (target === MASTER_CHANNEL) return this.#check(this.#ownMaster(), target, method, tried);
      const member = this.presence.get(target);
      if (member !== undefined) return this.#check(member, target, method, tried);
      // A UUID is never a group: a workerId nobody knows (yet, or any more).
      if (isOwnWorkerId(target)) return { reason: `no live member is ${target}` };
      candidates = this.#collect(target, method);
      if (byMethod === undefined) {
        byMethod = new Map();
        this.#candidates.set(target, byMethod);
      }
      byMethod.set(key, candidates);
    }
    const isRetry = tried !== undefined && tried.size > 0;
    if (isRetry) candidates = candidates.filter((m) => !tried.has(m.id));
    if (candidates.length === 0) {
      const what = method === undefined ? 'listens' : `has a handler for "${method}"`;
      return { reason: `no live member of "${target}" ${what}${isRetry ? ' but those tried' : ''}` };
    }
    const turn = this.#turnOf(target, key);
    if (!isRetry) this.#last = { target, key, candidates, turn, channels: undefined };
    return candidates[turn.next++ % candidates.length]!;
  }

  /**
   * For `deliver: 'one'`: the `one:<workerId>` channel of the member of `group` whose turn it is,
   * or why there is none. A burst to one group costs a counter and an array read per message.
   */
  pickChannel(group: string): string | NoPick {
    this.#refresh();
    const last = this.#last;
    if (last !== undefined && last.channels !== undefined && last.target === group && last.key === '')
      return last.channels[last.turn.next++ % last.channels.length]!;
    const member = this.pick(group, undefined);
    if ('reason' in member) return member;
    const now = this.#last;
    if (now !== undefined && now.target === group && now.key === '')
      now.channels = now.candidates.map((candidate) => oneChannel(candidate.workerId));
    return oneChannel(member.workerId);
  }

  #check(
    member: Member | NoPick,
    target: string,
    method: string | undefined,
    tried: ReadonlySet<string> | undefined,
  ): Member | NoPick {
    if ('reason' in member) return member;
    if (tried?.has(member.id)) return { reason: `${target} was tried already` };
    if (member.state === 'leaving') return { reason: `${target} is leaving` };
    if (method === undefined) return { reason: `${target} is not a group` };
    if (!this.answers(member, method)) return { reason: `${target} has no handler for "${method}"` };
    return member;
  }

  #turnOf(group: string, key: string): Turn {
    let turns = this.#turns.get(group);
    if (turns === undefined) {
      turns = new Map();
      this.#turns.set(group, turns);
    }
    let turn = turns.get(key);
    if (turn === undefined) {
      turn = { next: 0 };
      turns.set(key, turn);
    }
    return turn;
  }

  #refresh(): void {
    if (this.#generation === this.presence.generation) return;
    this.#generation = this.presence.generation;
    this.#candidates.clear();
    this.#master = undefined;
    this.#last = undefined;
  }

  #collect(group: string, method: string | undefined): readonly Member[] {
    const list = this.presence
      .members()
      .filter(
        (m) =>
          m.group === group &&
          m.state !== 'leaving' &&
          (method === undefined ? m.rpc !== undefined : this.answers(m, method)),
      );
    return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The master at the root of this process's tree; else the only master known. */
  #ownMaster(): Member | NoPick {
    this.#master ??= this.#findOwnMaster();
    return this.#master;
  }

  #findOwnMaster(): Member | NoPick {
    let member = this.presence.get(this.presence.id);
    for (let hops = 0; member !== undefined && hops < 64; hops++) {
      if (member.workerId === MASTER_WORKER_ID) return member;
      member = member.parentId === undefined ? undefined : this.presence.get(member.parentId);
    }
    const masters = this.presence.members().filter((m) => m.workerId === MASTER_WORKER_ID);
    if (masters.length === 1) return masters[0]!;
    return {
      reason:
        masters.length === 0
          ? 'no master is known yet'
          : `${masters.length} masters share the namespace and none is this process's own`,
    };
  }
}
