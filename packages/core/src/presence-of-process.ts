import type { ClustrError, EncodedMeta, Envelope, Transport } from '@clustr/protocol';
import { encodeData } from '@clustr/protocol';
import type { WelcomeFrame } from '@clustr/protocol/internal';
import { PRESENCE_CHANNEL } from '@clustr/protocol/internal';
import type { SpawnSpec, WorkerHandle } from '@clustr/spawner';
import type { ProcessIdentity } from './cluster-process-options.js';
import { Presence } from './presence.js';
import {
  type LeaveReason,
  type Member,
  type ResolvedPresenceOptions,
  resolvePresenceOptions,
} from './presence-types.js';
import { MemberRecords, type RequestOffer, type SelfFacts } from './process-presence.js';
import { createTrafficCounters, type TrafficCounters } from './process-stats.js';
import { exitCodeOf, type ShutdownReason } from './shutdown-types.js';

/** What presence needs of the process it runs in. */
export interface PresenceProcess {
  /** The transport while the process is in the cluster. */
  transport(): Transport | undefined;
  readonly meta: EncodedMeta;
  report(error: ClustrError): void;
  /** True once `ready`, false while joining or leaving. */
  isReady(): boolean;
  /** What its record says about requests: where they go and the methods it answers. */
  serves(): RequestOffer;
}

/**
 * Presence as a process runs it: its member record and stats, its heartbeats on the presence
 * channel, the table of everyone else, and its children's exits. `ClusterProcess` composes it.
 */
export class ProcessPresence {
  /** What the process counts of its own traffic, for its heartbeats. */
  readonly counters: TrafficCounters = createTrafficCounters();
  private readonly records: MemberRecords;
  private readonly presence: Presence;
  private isLeaving = false;

  /** The user gave presence options: a parent's are not taken. */
  private readonly hasOwnOptions: boolean;

  /**
   * `identity` is the process's; `options` its `presence` option as given (checked here).
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
   */
  constructor(
    identity: ProcessIdentity,
    options: unknown,
    private readonly process: PresenceProcess,
  ) {
    this.hasOwnOptions = options !== undefined;
    const facts: SelfFacts = {
      workerId: identity.workerId,
      group: identity.group,
      parentWorkerId: identity.parent?.parentId,
      restarts: 0,
    };
    this.records = new MemberRecords(facts, this.counters, () => {
      const transport = process.transport() as { stats?: () => unknown } | undefined;
      return typeof transport?.stats === 'function' ? transport.stats() : undefined;
    });
    this.presence = new Presence(
      {
        publish: (message) => {
          // Heartbeats are clustr's, not the user's: published as-is, not counted as traffic.
          process.transport()?.publish(PRESENCE_CHANNEL, process.meta, encodeData(message));
        },
        report: (error) => process.report(error),
        self: () =>
          this.records.self(
            this.isLeaving ? 'leaving' : process.isReady() ? 'ready' : 'starting',
            process.serves(),
          ),
        announced: () => this.records.announced(),
      },
      resolvePresenceOptions(options),
    );
  }

  /** The channel presence listens to. */
  get channel(): string {
    return PRESENCE_CHANNEL;
  }

  /** The options in force (children inherit them). */
  get options(): ResolvedPresenceOptions {
    return this.presence.options;
  }

  members(): Member[] {
    return this.presence.members();
  }

  /** This process's member id. */
  get id(): string {
    return this.records.id;
  }

  /** The member of that id (this process included), or undefined. */
  get(id: string): Member | undefined {
    return this.presence.get(id);
  }

  /** Grows whenever who can take a request may have changed (see `Presence.generation`). */
  get generation(): number {
    return this.presence.generation;
  }

  /** This process's methods changed: everyone hears its record within a round trip. */
  offerChanged(): void {
    this.presence.beatSoon();
  }

  onJoin(handler: (member: Member) => void): () => void {
    return this.presence.onJoin(handler);
  }

  onLeave(handler: (member: Member, reason: LeaveReason) => void): () => void {
    return this.presence.onLeave(handler);
  }

  receive(envelope: Envelope): void {
    this.presence.receive(envelope);
  }

  /**
   * The parent's welcome: the incarnation number and CPU pin of this process, and the presence
   * options it hands down (taken unless this process was given its own).
   */
  welcomed(welcome: WelcomeFrame | undefined): void {
    if (welcome === undefined) return;
    this.records.welcomed(welcome.restarts, welcome.cpu);
    const handed = welcome.process?.presence;
    if (this.hasOwnOptions || handed === undefined) return;
    try {
      this.presence.options = resolvePresenceOptions(handed);
    } catch {
      // A parent of another version handed down something else: the defaults stay.
    }
  }

  /** What this process hands down to its children's clustr processes. */
  handDown(): Record<string, unknown> {
    return { presence: this.presence.options };
  }

  /** The process joined: it starts beating. */
  start(): void {
    this.presence.start();
  }

  /** Children were spawned: their exits are this process's to announce, and foreign ones their beats. */
  spawned(specs: readonly SpawnSpec[], handles: readonly WorkerHandle[]): void {
    this.records.spawned(specs, handles);
    for (const handle of handles) {
      handle.on('exit', (info) => this.presence.childExited(handle.workerId, info.code, info.signal));
    }
  }

  /** The process began to shut down: its record says `leaving` (no new requests are sent its way) from the next beat, which comes at once. */
  leaving(): void {
    if (this.isLeaving) return;
    this.isLeaving = true;
    this.presence.beatSoon();
  }

  /**
   * The process leaves for `reason`: goodbye before its transport closes. A process that exits
   * (a kill order, a signal) says the exit its parent is about to see, so both say the same.
   */
  stop(reason: ShutdownReason): void {
    this.isLeaving = true;
    this.presence.stop(leaveReasonOf(reason));
    this.records.stop();
  }
}

/** What a process's goodbye says for a shutdown `reason`. */
function leaveReasonOf(reason: ShutdownReason): LeaveReason {
  if (reason.kind === 'reload') return { kind: 'reload' };
  const code = exitCodeOf(reason);
  return code === undefined ? { kind: 'closed' } : { kind: 'exit', code, signal: null };
}
