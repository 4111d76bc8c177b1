import { ClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/** An operation on a closed transport. */
export function closedError(what: string): ClustrError {
  return new ClustrError('ERR_CLUSTR_CLOSED', `${what} failed: the IPC transport is closed`);
}

/** A published message above `maxFrameBytes`. */
export function tooLargeError(channel: string, bytes: number, maxFrameBytes: number): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_DATA',
    `message on channel "${channel}" is ${bytes} bytes, larger than maxFrameBytes ${maxFrameBytes}: not sent`,
    { details: { channel, bytes, maxFrameBytes } },
  );
}

/** The link to the parent closed under pending subscriptions. */
export function parentGoneError(): ClustrError {
  return new ClustrError('ERR_CLUSTR_TRANSPORT', 'the link to the parent process closed');
}

/** `subscribe()` of something that is not a channel name. */
export function invalidChannelError(channel: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_CHANNEL',
    `cannot subscribe to ${describeValue(channel)}: not a channel name (1-200 characters: a letter or digit, then letters, digits, "_", ".", ":" or "-")`,
  );
}

/** A peer broke a trust rule or a hard cap. */
export function forbiddenError(reason: string): ClustrError {
  return new ClustrError('ERR_CLUSTR_FORBIDDEN', reason);
}
