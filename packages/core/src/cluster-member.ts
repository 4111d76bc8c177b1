import { EventEmitter } from 'node:events';
import type { ClusterProcessEvents } from './cluster-process-options.js';
import type { ProcessPresence } from './presence-of-process.js';
import type { LeaveReason, Member } from './presence-types.js';
import * as errors from './process-errors.js';

/**
 * What every cluster process offers about the cluster itself: who is in it (presence). Its
 * messaging and lifecycle live in `ClusterProcess`, which extends it.
 */
export abstract class ClusterMember extends EventEmitter<ClusterProcessEvents> {
  /** The presence this process runs (heartbeats, the member table). */
  protected abstract readonly presence: ProcessPresence;

  /**
   * Every process of the cluster this process knows of now, itself included: who (workerId,
   * group, host, pid, CPU pin, command, parent), since when, in what state, with the figures of
   * its latest heartbeat. A late joiner knows everyone within a round trip.
   */
  members(): Member[] {
    return this.presence.members();
  }

  /** Calls `handler` when a member appears (a new process, or a new incarnation); returns the remover. */
  onJoin(handler: (member: Member) => void): () => void {
    if (typeof handler !== 'function') throw errors.invalidHandler('onJoin', handler);
    return this.presence.onJoin(handler);
  }

  /**
   * Calls `handler` when a member leaves, with why: `exit` (its parent saw it exit), `closed`
   * (it left politely) or `timeout` (its heartbeats stopped); returns the remover.
   */
  onLeave(handler: (member: Member, reason: LeaveReason) => void): () => void {
    if (typeof handler !== 'function') throw errors.invalidHandler('onLeave', handler);
    return this.presence.onLeave(handler);
  }
}
