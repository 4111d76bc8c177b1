import type { EventEmitter } from 'node:events';
import type { Envelope } from '@clustr/protocol';
import { reportToEmitter as reportError } from '@clustr/protocol/internal';
import type { ClusterProcessEvents } from './cluster-process-options.js';
import { emitSafely } from './emit-safely.js';
import * as errors from './process-errors.js';
import type { ShutdownReason } from './shutdown-types.js';

/** A process that obeys kill orders: it emits `kill`, then shuts down and exits. */
type Killable = EventEmitter<ClusterProcessEvents>;

/**
 * Obeys a kill order: emits `kill` (with who sent it), then has the process shut down with the
 * reason `{ kind: 'kill', code, from }` and exit with the code (`stopAndExit`). An order whose
 * data is not an exit code is reported, not obeyed.
 */
export function obeyKillOrder(
  target: Killable,
  envelope: Envelope,
  stopAndExit: (reason: ShutdownReason) => void,
): void {
  const { data } = envelope;
  if (!isExitCode(data)) {
    reportError(target, errors.badKillOrder(data));
    return;
  }
  emitSafely(target, 'kill', { exitCode: data, from: envelope.meta });
  stopAndExit({ kind: 'kill', code: data, from: envelope.meta });
}

/** True when a kill order's data is an exit code (an integer from 0 to 255). */
export function isExitCode(data: unknown): data is number {
  return typeof data === 'number' && Number.isInteger(data) && data >= 0 && data <= 255;
}
