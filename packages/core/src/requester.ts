import type { ClustrError, Meta } from '@clustr/protocol';
import type { Balancer } from './balancer.js';
import { Deadlines } from './deadlines.js';
import type { Member } from './presence-types.js';
import {
  aborted,
  closedWhilePending,
  noResponder,
  notSent,
  remoteFailure,
  timedOut,
} from './request-errors.js';
import type { ResolvedRequestOptions } from './request-types.js';
import { encodeRequest, type RemoteErrorInfo, requestTail } from './rpc-wire.js';

/** What the requester needs of its process. */
export interface RequesterHost {
  readonly balancer: Balancer;
  /** Where replies to this process go: its own `rpc:<id>`. */
  readonly replyTo: string;
  /** The rpc channel of a member. */
  channelOf(member: Member): string;
  /** Publishes as this process; throws once it has left. */
  send(channel: string, dataJson: string): void;
}

/** One `request()` call, across its attempts. */
interface Call {
  readonly target: string;
  readonly method: string;
  readonly dataJson: string;
  readonly options: ResolvedRequestOptions;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ClustrError) => void;
  /** The current attempt's id (-1 between attempts), the member asked, its timer. */
  id: number;
  member: Member | undefined;
  retriesLeft: number;
  /** Members asked by earlier attempts: a retry goes to another one. */
  tried: Set<string> | undefined;
  onAbort: (() => void) | undefined;
  isSettled: boolean;
}

/** What became of a reply. */
export type ReplyOutcome = 'delivered' | 'late' | 'not-from-member';

/**
 * The asking side of requests: each call goes to the member the balancer picks, under an id of
 * its own; its reply is matched by id and by sender, and delivered once. A call fails at once
 * when nobody answers, as soon as the member asked leaves, after `timeoutMs`, or when its signal
 * aborts; `retries` sends it again to another member after the first two of those.
 */
export class Requester {
  readonly #pending = new Map<number, Call>();
  readonly #byMember = new Map<string, Set<Call>>();
  /** What follows a request's id on the wire, per method. */
  readonly #tails = new Map<string, string>();
  /** Random start: a restarted process (same workerId) never takes its previous run's ids. */
  #nextId = Math.floor(Math.random() * 2 ** 31);
  /** Replies that found their request settled. */
  lateReplies = 0;
  /** The attempts' timeouts: an attempt still pending at its deadline fails with `ERR_CLUSTR_TIMEOUT`. */
  readonly #deadlines = new Deadlines((id) => {
    const call = this.#pending.get(id);
    if (call !== undefined) this.#failAttempt(call, timedOut(call, call.member!.id));
  });

  constructor(private readonly host: RequesterHost) {}

  get inFlight(): number {
    return this.#pending.size;
  }

  /** Starts a call once the process is in the cluster (`joined` settles then). */
  call(
    target: string,
    method: string,
    dataJson: string,
    options: ResolvedRequestOptions,
    joined: Promise<void> | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: Call = {
        target,
        method,
        dataJson,
        options,
        resolve,
        reject,
        id: -1,
        member: undefined,
        retriesLeft: options.retries,
        tried: undefined,
        onAbort: undefined,
        isSettled: false,
      };
      const { signal } = options;
      if (signal !== undefined) {
        if (signal.aborted) {
          reject(aborted(call, signal));
          return;
        }
        call.onAbort = () => this.#settle(call, aborted(call, signal));
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (joined === undefined) this.#attempt(call);
      else
        joined.then(
          () => this.#attempt(call),
          (error: unknown) => this.#settle(call, notSent(error)),
        );
    });
  }

  /** A reply from `meta` to request `id`: delivered once, and only from the member asked. */
  replied(meta: Meta, id: number, error: RemoteErrorInfo | undefined, data: unknown): ReplyOutcome {
    const call = this.#pending.get(id);
    if (call === undefined) {
      this.lateReplies++;
      return 'late';
    }
    const member = call.member!;
    const isFromMember =
      member.workerId === 'master'
        ? meta.workerId === undefined && meta.group === 'master'
        : meta.workerId === member.workerId;
    if (!isFromMember) return 'not-from-member';
    if (error === undefined) this.#settle(call, undefined, data);
    else if (error.name === 'ClustrError' && error.code === 'ERR_CLUSTR_NO_RESPONDER')
      this.#failAttempt(call, noResponder(call, `${member.id} has no handler for it any more`, member.id));
    else this.#settle(call, remoteFailure(call, member.id, error));
    return 'delivered';
  }

  /** A member left: what was asked of it fails now (or goes to another member, with retries). */
  left(member: Member): void {
    const calls = this.#byMember.get(member.id);
    if (calls === undefined) return;
    for (const call of [...calls])
      this.#failAttempt(call, noResponder(call, `${member.id} left before it answered`, member.id));
  }

  /** The process leaves: what is pending fails with `ERR_CLUSTR_CLOSED`. */
  close(): void {
    for (const call of [...this.#pending.values()]) this.#settle(call, closedWhilePending(call));
    this.#deadlines.clear();
  }

  #attempt(call: Call): void {
    if (call.isSettled) return;
    const picked = this.host.balancer.pick(call.target, call.method, call.tried);
    if ('reason' in picked) {
      this.#settle(call, noResponder(call, picked.reason));
      return;
    }
    const id = this.#nextId++;
    call.id = id;
    call.member = picked;
    this.#pending.set(id, call);
    let calls = this.#byMember.get(picked.id);
    if (calls === undefined) {
      calls = new Set();
      this.#byMember.set(picked.id, calls);
    }
    calls.add(call);
    if (this.#pending.size === 1) this.#deadlines.hold(true);
    this.#deadlines.add(id, call.options.timeoutMs);
    let tail = this.#tails.get(call.method);
    if (tail === undefined) {
      tail = requestTail(call.method, this.host.replyTo);
      this.#tails.set(call.method, tail);
    }
    try {
      this.host.send(this.host.channelOf(picked), encodeRequest(id, tail, call.dataJson));
    } catch (error) {
      this.#settle(call, notSent(error));
    }
  }

  /** The attempt failed in a way another member might not: retry if allowed, else fail. */
  #failAttempt(call: Call, error: ClustrError): void {
    if (call.retriesLeft <= 0 || call.member === undefined) {
      this.#settle(call, error);
      return;
    }
    call.retriesLeft--;
    call.tried ??= new Set();
    call.tried.add(call.member.id);
    this.#endAttempt(call);
    this.#attempt(call);
  }

  #endAttempt(call: Call): void {
    if (call.id < 0) return;
    this.#pending.delete(call.id);
    const calls = call.member === undefined ? undefined : this.#byMember.get(call.member.id);
    calls?.delete(call);
    if (calls?.size === 0) this.#byMember.delete(call.member!.id);
    if (this.#pending.size === 0) this.#deadlines.hold(false);
    call.id = -1;
  }

  /** Settles a call once: rejects with `error`, or resolves with `value` when there is none. */
  #settle(call: Call, error: ClustrError | undefined, value?: unknown): void {
    if (call.isSettled) return;
    call.isSettled = true;
    this.#endAttempt(call);
    if (call.onAbort !== undefined) call.options.signal?.removeEventListener('abort', call.onAbort);
    if (error === undefined) call.resolve(value);
    else call.reject(error);
  }
}
