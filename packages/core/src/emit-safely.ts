import type { EventEmitter } from 'node:events';
import { toClustrError } from '@clustr/protocol';
import { reportToEmitter } from '@clustr/protocol/internal';
import type { ClusterProcessEvents } from './cluster-process-options.js';

/** The lifecycle events a process emits itself. */
export type LifecycleEvent = 'ready' | 'kill' | 'close';

/**
 * Emits a lifecycle event of `emitter`; a listener that throws is reported through the same
 * emitter's `error` (or a warning), never allowed to derail the lifecycle step that emitted it.
 */
export function emitSafely<K extends LifecycleEvent>(
  emitter: EventEmitter<ClusterProcessEvents>,
  event: K,
  ...args: ClusterProcessEvents[K]
): void {
  try {
    (emitter.emit as (event: K, ...args: ClusterProcessEvents[K]) => boolean).call(emitter, event, ...args);
  } catch (error) {
    reportToEmitter(
      emitter,
      toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', `a "${event}" listener threw`),
    );
  }
}
