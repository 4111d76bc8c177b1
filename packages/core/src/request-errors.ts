import { ClustrError, toClustrError } from '@clustr/protocol';
import { assertUserChannel, describeValue } from '@clustr/protocol/internal';
import type { RemoteErrorInfo } from './rpc-wire.js';

/** What an error of a request names: the method and the target as the caller gave them. */
export interface RequestCall {
  readonly target: string;
  readonly method: string;
  readonly options: { readonly timeoutMs: number };
}

/** Throws `ERR_CLUSTR_INVALID_CHANNEL` unless `target` can name a member or a group. */
export function assertTarget(target: unknown): asserts target is string {
  if (typeof target === 'string' && target !== 'public' && target !== 'confirmation') {
    assertUserChannel(target);
    return;
  }
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_CHANNEL',
    `request target ${describeValue(target)} is not valid (a workerId, "master" or a group name)`,
    { details: { value: target } },
  );
}

/** Why a request could not be sent (the process left, could not join). */
export function notSent(error: unknown): ClustrError {
  return toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'the request could not be sent');
}

/** Nobody answers: nobody has the method, or `responder`, the member asked, left or lost it. */
export function noResponder(call: RequestCall, reason: string, responder?: string): ClustrError {
  const details = { target: call.target, method: call.method };
  return new ClustrError(
    'ERR_CLUSTR_NO_RESPONDER',
    `request "${call.method}" to ${call.target}: nobody answers (${reason})`,
    { details: responder === undefined ? details : { ...details, responder } },
  );
}

/** The member asked did not answer within `timeoutMs`. */
export function timedOut(call: RequestCall, memberId: string): ClustrError {
  const { timeoutMs } = call.options;
  return new ClustrError(
    'ERR_CLUSTR_TIMEOUT',
    `request "${call.method}" to ${call.target} got no reply from ${memberId} within ${timeoutMs} ms`,
    { details: { target: call.target, method: call.method, timeoutMs } },
  );
}

/** The caller's signal aborted. */
export function aborted(call: RequestCall, signal: AbortSignal): ClustrError {
  return new ClustrError('ERR_CLUSTR_ABORTED', `request "${call.method}" to ${call.target} was aborted`, {
    cause: signal.reason,
    details: { target: call.target, method: call.method },
  });
}

/** The handler threw or rejected in `memberId`. */
export function remoteFailure(call: RequestCall, memberId: string, error: RemoteErrorInfo): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_REMOTE',
    `request "${call.method}" to ${call.target} failed in ${memberId}: ${error.name}: ${error.message}`,
    { details: { target: call.target, method: call.method, responder: memberId, remote: error } },
  );
}

/** The process left with the request pending. */
export function closedWhilePending(call: RequestCall): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_CLOSED',
    `request "${call.method}" to ${call.target} ended: this process left the cluster (close() was called)`,
  );
}
