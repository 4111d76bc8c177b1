import { DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import {
  checkDuration,
  checkPositiveInteger,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';

/**
 * Most characters the IPC transport keeps queued for one link (a child, or the parent) while
 * the peer is slow to read. Past it, frames for that link are dropped and one
 * `ERR_CLUSTR_QUEUE_FULL` is reported per overflow episode.
 * @default 64 MiB
 */
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/**
 * Size at which a write is closed and a new one started, so that one busy turn never hands the
 * socket one huge string.
 * @default 1 MiB
 */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

/**
 * How long a subscription waits for its acknowledgement from the parent before it fails.
 * @default 30000
 */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;

/**
 * How long `close()` waits for queued frames to be taken by the peers.
 * @default 2000
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

/**
 * Most channels one child's subtree may subscribe to, and most members it may announce, through
 * one link. Past it the child is reported (`ERR_CLUSTR_FORBIDDEN`) and disconnected.
 * @default 10000
 */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK = 10_000;

/** Options of `createIpcTransport()`. Every size counts characters of JSON text (bytes for ASCII). */
export interface IpcTransportOptions {
  /**
   * Bound of the queue kept per link while its peer is slow to read (backpressure). Frames past
   * it are dropped, counted in `stats()` and reported once per episode as `ERR_CLUSTR_QUEUE_FULL`.
   * Subscription and acknowledgement frames are never dropped.
   * @default DEFAULT_MAX_QUEUE_BYTES (64 MiB)
   */
  maxQueueBytes?: number;
  /**
   * The largest single frame this transport writes; a published message above it is refused
   * with `ERR_CLUSTR_INVALID_DATA` through `onError`. Keep it at or below what the receiving
   * links accept (they read lines of up to `DEFAULT_MAX_FRAME_BYTES`).
   * @default DEFAULT_MAX_FRAME_BYTES (16 MiB)
   */
  maxFrameBytes?: number;
  /**
   * Frames queued for one link in one event-loop turn leave in one write (one line each) until
   * the write reaches this size; the rest go in further writes.
   * @default DEFAULT_MAX_BATCH_BYTES (1 MiB)
   */
  maxBatchBytes?: number;
  /**
   * How long `subscribe()` waits for the parent's acknowledgement before it rejects with
   * `ERR_CLUSTR_TIMEOUT` (`connect()` waits for nothing: the welcome came first).
   * @default DEFAULT_ACK_TIMEOUT_MS (30000)
   */
  ackTimeoutMs?: number;
  /**
   * How long `close()` waits for queued frames to be taken by the peers before it gives up on them.
   * @default DEFAULT_CLOSE_TIMEOUT_MS (2000)
   */
  closeTimeoutMs?: number;
  /**
   * Most channels one child's subtree may subscribe to through its link, and most members it
   * may announce: a hostile child cannot grow its ancestors' routing tables without end. A child
   * past it is reported as `ERR_CLUSTR_FORBIDDEN` and disconnected.
   * @default DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK (10000)
   */
  maxSubscriptionsPerLink?: number;
}

/** Options with every default applied. */
export type ResolvedIpcOptions = Required<IpcTransportOptions>;

const OPTION_KEYS: readonly (keyof IpcTransportOptions)[] = [
  'maxQueueBytes',
  'maxFrameBytes',
  'maxBatchBytes',
  'ackTimeoutMs',
  'closeTimeoutMs',
  'maxSubscriptionsPerLink',
];
const WHAT = 'IPC transport option';
/** `IPC transport option "<key>"`, as this package's messages always named its options. */
const name = (key: keyof IpcTransportOptions) => `${WHAT} "${key}"`;

/**
 * Applies defaults and checks every option; unknown options are refused, so a misspelt one (or
 * a Redis option given to IPC) fails instead of being ignored.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolveIpcOptions(input: unknown = {}): ResolvedIpcOptions {
  if (!isOptionsObject(input)) {
    throw invalidOptionError('IPC transport options', input, 'an object or nothing');
  }
  const options = input;
  refuseUnknownKeys(options, OPTION_KEYS, WHAT);
  const maxFrameBytes = checkPositiveInteger(
    name('maxFrameBytes'),
    options.maxFrameBytes,
    DEFAULT_MAX_FRAME_BYTES,
    256,
  );
  const maxBatchBytes = checkPositiveInteger(
    name('maxBatchBytes'),
    options.maxBatchBytes,
    Math.min(DEFAULT_MAX_BATCH_BYTES, maxFrameBytes),
  );
  if (maxBatchBytes > maxFrameBytes) {
    throw invalidOptionError(name('maxBatchBytes'), maxBatchBytes, `at most maxFrameBytes, ${maxFrameBytes}`);
  }
  return {
    maxQueueBytes: checkPositiveInteger(
      name('maxQueueBytes'),
      options.maxQueueBytes,
      DEFAULT_MAX_QUEUE_BYTES,
    ),
    maxFrameBytes,
    maxBatchBytes,
    ackTimeoutMs: checkDuration(name('ackTimeoutMs'), options.ackTimeoutMs, DEFAULT_ACK_TIMEOUT_MS, 1),
    closeTimeoutMs: checkDuration(name('closeTimeoutMs'), options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
    maxSubscriptionsPerLink: checkPositiveInteger(
      name('maxSubscriptionsPerLink'),
      options.maxSubscriptionsPerLink,
      DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK,
    ),
  };
}
