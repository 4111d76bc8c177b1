import { EventEmitter } from 'node:events';
import type { JsonData } from '@clustr/protocol';
import type { ClusterProcessEvents } from './cluster-process-options.js';
import type { ProcessPresence } from './presence-of-process.js';
import type { LeaveReason, Member } from './presence-types.js';
import * as errors from './process-errors.js';
import type { ProcessShutdown } from './process-shutdown.js';
import type { OnRequestOptions, RequestHandler, RequestOptions, RequestStats } from './request-types.js';
import type { Requests } from './requests.js';
import type { ShutdownHook } from './shutdown-types.js';

/**
 * What every cluster process offers about the cluster itself: who is in it (presence), and
 * asking its members (requests). Its messaging and lifecycle live in `ClusterProcess`, which
 * extends it.
 */
export abstract class ClusterMember extends EventEmitter<ClusterProcessEvents> {
  /** The presence this process runs (heartbeats, the member table). */
  protected abstract readonly presence: ProcessPresence;
  /** The requests this process sends and answers. */
  protected abstract readonly requests: Requests;
  protected abstract readonly lifecycle: ProcessShutdown;

  /**
   * Runs `hook` before this process leaves, whatever the cause (`reason`: a kill order, a
   * signal, `close()`, a reload). Hooks start in registration order and run concurrently under
   * one deadline, `shutdownTimeoutMs`; one that throws or overruns is reported and the process
   * leaves anyway. What the hooks publish is delivered. Returns the remover.
   *
   * @example
   * worker.onShutdown(async (reason) => { await jobs.drain(); });
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a hook that is not a function
   */
  onShutdown(hook: ShutdownHook): () => void {
    return this.lifecycle.add(hook);
  }

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

  /**
   * Answers requests for `method` with `handler`, which gets `{ meta, data }` and returns the
   * reply's data (or a promise of it). One handler per method per process; the methods a process
   * answers are part of its presence record, which everyone learns within a round trip.
   * Returns the function that removes the handler.
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a second handler of a method, a bad method name or options
   * @example
   * worker.onRequest<{ n: number }, number>('square', ({ data }) => data.n * data.n);
   */
  onRequest<Req = unknown, Res = unknown>(
    method: string,
    handler: RequestHandler<Req, Res>,
    options?: OnRequestOptions,
  ): () => void {
    return this.requests.onRequest(method, handler, options);
  }

  /**
   * Asks `target` — a workerId, `"master"` (this process's master) or a group name (exactly one
   * member of it that has a handler answers, chosen round-robin) — and resolves with the reply.
   * `data` is encoded here: what JSON cannot carry throws in your stack. Rejects with a
   * `ClustrError`: `ERR_CLUSTR_NO_RESPONDER` (at once when no live member has the method; as soon
   * as the member asked leaves), `ERR_CLUSTR_TIMEOUT`, `ERR_CLUSTR_REMOTE` (the handler threw:
   * `details.remote` holds its name, message and code), `ERR_CLUSTR_ABORTED`. A reply is
   * delivered at most once, a request handled at most once (see `retries`).
   *
   * @throws ClustrError `ERR_CLUSTR_INVALID_DATA`, `ERR_CLUSTR_INVALID_CHANNEL`, `ERR_CLUSTR_INVALID_OPTION`, `ERR_CLUSTR_CLOSED`
   * @example
   * const area = await master.request<number>('geometry', 'square', { n: 4 }, { timeoutMs: 1000 });
   */
  request<Res = unknown, Req = unknown>(
    target: string,
    method: string,
    data: Req & JsonData<Req>,
    options?: RequestOptions,
  ): Promise<Res> {
    return this.requests.request(target, method, data, options) as Promise<Res>;
  }

  /** What this process counts of its requests: in flight, being handled, late replies dropped. */
  requestStats(): RequestStats {
    return this.requests.stats();
  }
}
