import type { EncodedMeta } from '@clustr/protocol';
import { queueMessage } from './pending-messages.js';
import * as errors from './process-errors.js';
import type { ProcessState } from './process-state.js';
import type { TrafficCounters } from './process-stats.js';

/**
 * What publishing does in each state of a process: once ready, the message goes straight to the
 * transport (and is counted for presence); while joining it is queued (bounded). While a
 * shutdown drains (children stopping, hooks running) it still goes out; once the process
 * leaves it is dropped and `false` returned, for the caller to count (a user timer that fires
 * during a shutdown must not throw). Once joining failed, or the process has closed, it throws.
 * @throws ClustrError `ERR_CLUSTR_QUEUE_FULL`, the reason joining failed, `ERR_CLUSTR_CLOSED`
 */
export function sendInState(
  state: ProcessState,
  meta: EncodedMeta,
  counters: TrafficCounters,
  channel: string,
  dataJson: string,
): boolean {
  switch (state.kind) {
    case 'ready':
      counters.messagesOut++;
      counters.bytesOut += dataJson.length;
      state.transport.publish(channel, meta, dataJson);
      return true;
    case 'joining':
      queueMessage(state.pending, channel, dataJson);
      return true;
    case 'closing':
      if (state.phase === 'leaving' || state.live === undefined) return false;
      counters.messagesOut++;
      counters.bytesOut += dataJson.length;
      state.live.publish(channel, meta, dataJson);
      return true;
    case 'failed':
      throw errors.failedBefore(state.reason);
    default:
      throw errors.closedError('publish');
  }
}
