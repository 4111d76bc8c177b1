import type { EventEmitter } from 'node:events';
import type { Envelope } from '@clustr/protocol';
import { toClustrError } from '@clustr/protocol';
import { reportToEmitter as reportError } from '@clustr/protocol/internal';
import type { ClusterProcessEvents } from './cluster-process-options.js';
import { emitSafely } from './emit-safely.js';
import * as errors from './process-errors.js';

/** A process that obeys kill orders: it emits `kill`, closes, then exits. */
type Killable = EventEmitter<ClusterProcessEvents> & { close(): Promise<void> };

/**
 * Obeys a kill order: emits `kill` (with who sent it), closes, then exits the process with the
 * code. An order whose data is not an exit code is reported, not obeyed.
 */
export function obeyKillOrder(target: Killable, envelope: Envelope): void {
  const { data } = envelope;
  if (!isExitCode(data)) {
    reportError(target, errors.badKillOrder(data));
    return;
  }
  emitSafely(target, 'kill', { exitCode: data, from: envelope.meta });
  void target
    .close()
    .catch((error: unknown) =>
      reportError(target, toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'closing before exit failed')),
    )
    .finally(() => process.exit(data));
}

/** True when a kill order's data is an exit code (an integer from 0 to 255). */
export function isExitCode(data: unknown): data is number {
  return typeof data === 'number' && Number.isInteger(data) && data >= 0 && data <= 255;
}
