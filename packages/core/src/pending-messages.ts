import { ClustrError } from '@clustr/protocol';

/**
 * Most messages a process queues before `ready()`; past it `publish` throws
 * `ERR_CLUSTR_QUEUE_FULL` rather than buffer without bound.
 * @default 100000
 */
export const DEFAULT_MAX_PENDING_MESSAGES = 100_000;

/** A message published before `ready()`: its channel and its data, already encoded. */
export type PendingMessage = readonly [channel: string, dataJson: string];

/**
 * Queues a message until the process has joined.
 * @throws ClustrError `ERR_CLUSTR_QUEUE_FULL` when {@link DEFAULT_MAX_PENDING_MESSAGES} already wait
 */
export function queueMessage(pending: PendingMessage[], channel: string, dataJson: string): void {
  if (pending.length >= DEFAULT_MAX_PENDING_MESSAGES) {
    throw new ClustrError(
      'ERR_CLUSTR_QUEUE_FULL',
      `cannot publish to "${channel}": ${DEFAULT_MAX_PENDING_MESSAGES} messages already wait for ready() (the bound of what a process queues before it has joined)`,
    );
  }
  pending.push([channel, dataJson]);
}
