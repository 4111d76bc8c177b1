import type { Envelope } from '@clustr/protocol';
import {
  checkBoolean,
  checkDuration,
  checkPositiveInteger,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';

/**
 * Answers the requests of one method: receives `{ meta, data }` (who asked, what they sent) and
 * returns the reply's data, or a promise of it. What it throws or rejects with reaches the
 * requester as `ERR_CLUSTR_REMOTE`; returning nothing answers `null`.
 */
export type RequestHandler<Req = unknown, Res = unknown> = (request: Envelope<Req>) => Res | PromiseLike<Res>;

/** Options of `request()`. */
export interface RequestOptions {
  /**
   * How long one attempt waits for its reply before it fails with `ERR_CLUSTR_TIMEOUT`; a reply
   * that comes later is dropped and counted (`requestStats().lateReplies`).
   * @default 5000
   */
  timeoutMs?: number;
  /** Aborting it fails the request with `ERR_CLUSTR_ABORTED` (a reply that comes later is dropped). */
  signal?: AbortSignal;
  /**
   * How many more attempts, each with another member, after an attempt failed with
   * `ERR_CLUSTR_NO_RESPONDER` or `ERR_CLUSTR_TIMEOUT`; never after any other failure. Off by
   * default because a retry may run the work twice: a member that timed out, or left before it
   * answered, may have done it. Each attempt waits up to `timeoutMs`.
   * @default 0
   */
  retries?: number;
}

/** Options of `onRequest()`. */
export interface OnRequestOptions {
  /**
   * Sends the stack of what the handler threw to the requester (in `details.remote.stack`).
   * Off by default: a stack tells a peer about this process's code and paths.
   * @default false
   */
  exposeStack?: boolean;
}

/** Options of `publish()`. */
export interface PublishOptions {
  /**
   * `'all'`: every process listening to the channel receives the message. `'one'`: exactly one
   * live member of the group (the channel must be a group name) receives it on its `onGroup`
   * handlers, chosen round-robin; with no live member it is dropped and reported
   * (`ERR_CLUSTR_NO_RESPONDER`, once until the group has a member again).
   * @default 'all'
   */
  deliver?: 'all' | 'one';
}

/** What a process counts of its requests (`requestStats()`). */
export interface RequestStats {
  /** Requests this process sent that have not settled. */
  inFlight: number;
  /** Requests its handlers are working on now. */
  handling: number;
  /** Replies that came after their request had settled (timed out, aborted, responder gone): dropped. */
  lateReplies: number;
  /** `deliver: 'one'` messages dropped because their group had no live member. */
  droppedOne: number;
}

/** The default of {@link RequestOptions.timeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** {@link RequestOptions} checked, with defaults. */
export interface ResolvedRequestOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly retries: number;
}

/**
 * Checks the options of `request()`.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolveRequestOptions(input: unknown): ResolvedRequestOptions {
  if (input === undefined) return { timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS, signal: undefined, retries: 0 };
  if (!isOptionsObject(input)) throw invalidOptionError('request options', input, 'an object or nothing');
  refuseUnknownKeys(input, ['timeoutMs', 'signal', 'retries'], 'request option');
  const { signal } = input;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw invalidOptionError('request option signal', signal, 'an AbortSignal');
  return {
    timeoutMs: checkDuration('request option timeoutMs', input.timeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 1),
    signal,
    retries: checkPositiveInteger('request option retries', input.retries, 0, 0),
  };
}

/**
 * Checks the options of `onRequest()`; returns whether stacks are exposed.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolveOnRequestOptions(input: unknown): boolean {
  if (input === undefined) return false;
  if (!isOptionsObject(input)) throw invalidOptionError('onRequest options', input, 'an object or nothing');
  refuseUnknownKeys(input, ['exposeStack'], 'onRequest option');
  return checkBoolean('onRequest option exposeStack', input.exposeStack, false);
}

/**
 * Checks the options of `publish()`; true for `deliver: 'one'`.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function deliversToOne(input: unknown): boolean {
  if (!isOptionsObject(input)) throw invalidOptionError('publish options', input, 'an object or nothing');
  // Per publish: a loop over the keys, not refuseUnknownKeys's set (the hot path of deliver: 'one').
  for (const key in input) if (key !== 'deliver') refuseUnknownKeys(input, ['deliver'], 'publish option');
  const { deliver } = input;
  if (deliver === 'one') return true;
  if (deliver === undefined || deliver === 'all') return false;
  throw invalidOptionError('publish option deliver', deliver, '"all" or "one"');
}
