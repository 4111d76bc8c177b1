import { ClustrError, DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/**
 * Most characters the IPC transport keeps queued for one link (a child, or the parent) while
 * the peer is slow to read. Past it, frames for that link are dropped and one
 * `ERR_CLUSTR_QUEUE_FULL` is reported per overflow episode.
 * @default 64 MiB
 */
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/**
 * Size at which a batch line is closed and a new one started, so that one slow turn never builds
 * a line the receiver would refuse or take long to parse.
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

/** Options of `createIpcTransport()`. Every size counts characters of JSON text (bytes for ASCII). */
export interface IpcTransportOptions {
  /**
   * Use this process's Node IPC channel (`process.send` / `process.on('message')`) as the link
   * to a clustr parent. Only `restoreTransport()` (a child spawned by clustr) sets it: any other
   * IPC channel (a test runner's fork, a user's own `fork`) is never mistaken for a clustr parent.
   * @default false
   */
  parent?: boolean;
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
   * Frames queued for one link in one event-loop turn travel as one `batch` line until the line
   * reaches this size; the rest go in further lines of the same write.
   * @default DEFAULT_MAX_BATCH_BYTES (1 MiB)
   */
  maxBatchBytes?: number;
  /**
   * How long `connect()` and `subscribe()` wait for the parent's acknowledgement before they
   * reject with `ERR_CLUSTR_TIMEOUT`.
   * @default DEFAULT_ACK_TIMEOUT_MS (30000)
   */
  ackTimeoutMs?: number;
  /**
   * How long `close()` waits for queued frames to be taken by the peers before it gives up on them.
   * @default DEFAULT_CLOSE_TIMEOUT_MS (2000)
   */
  closeTimeoutMs?: number;
}

/** Options with every default applied. */
export type ResolvedIpcOptions = Required<IpcTransportOptions>;

function positiveInteger(options: Record<string, unknown>, key: string, fallback: number, min = 1): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `IPC transport option "${key}" ${describeValue(value)} is not valid (allowed: an integer >= ${min})`,
    { details: { key, value } },
  );
}

/**
 * Applies defaults and checks every option.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolveIpcOptions(input: unknown = {}): ResolvedIpcOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `IPC transport options ${describeValue(input)} are not valid (allowed: an object or nothing)`,
    );
  }
  const options = input as Record<string, unknown>;
  if (options.parent !== undefined && typeof options.parent !== 'boolean') {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `IPC transport option "parent" ${describeValue(options.parent)} is not valid (allowed: true or false)`,
    );
  }
  const maxFrameBytes = positiveInteger(options, 'maxFrameBytes', DEFAULT_MAX_FRAME_BYTES, 256);
  const maxBatchBytes = positiveInteger(
    options,
    'maxBatchBytes',
    Math.min(DEFAULT_MAX_BATCH_BYTES, maxFrameBytes),
  );
  if (maxBatchBytes > maxFrameBytes) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `IPC transport option "maxBatchBytes" ${maxBatchBytes} is not valid (allowed: at most maxFrameBytes, ${maxFrameBytes})`,
    );
  }
  return {
    parent: options.parent === true,
    maxQueueBytes: positiveInteger(options, 'maxQueueBytes', DEFAULT_MAX_QUEUE_BYTES),
    maxFrameBytes,
    maxBatchBytes,
    ackTimeoutMs: positiveInteger(options, 'ackTimeoutMs', DEFAULT_ACK_TIMEOUT_MS),
    closeTimeoutMs: positiveInteger(options, 'closeTimeoutMs', DEFAULT_CLOSE_TIMEOUT_MS, 0),
  };
}
