import type { EventEmitter } from 'node:events';
import { type ClustrError, toClustrError } from './clustr-error.js';

/**
 * Hands `error` to every handler a transport's `onError` registered; with none, reports it as a
 * process warning. Never throws: a handler that throws becomes a warning too. So bad input and
 * transport trouble are never fatal and never silent.
 */
export function reportToHandlers(
  handlers: Iterable<(error: ClustrError) => void> & { readonly size?: number; readonly length?: number },
  error: ClustrError,
): void {
  if ((handlers.size ?? handlers.length ?? 0) === 0) {
    emitClustrWarning(error);
    return;
  }
  for (const handler of handlers) {
    try {
      handler(error);
    } catch (thrown) {
      emitClustrWarning(toClustrError(thrown, 'ERR_CLUSTR_TRANSPORT', 'an error handler threw'));
    }
  }
}

/**
 * Emits `error` as an `'error'` event of `emitter` (a process, a worker handle) when it has
 * listeners; without any, as in the original README's workers, reports it as a process warning,
 * so nothing clustr receives from outside crashes the process and nothing passes silently.
 */
export function reportToEmitter(emitter: EventEmitter, error: ClustrError): void {
  if (emitter.listenerCount('error') > 0) emitter.emit('error', error);
  else emitClustrWarning(error);
}

// The one place clustr emits a process warning, so every warning has the same shape: listeners
// on process.on('warning') branch on `name === 'ClustrWarning'` and `code`.
function emitClustrWarning(error: ClustrError): void {
  const { cause } = error;
  const detail =
    cause === undefined ? undefined : `cause: ${cause instanceof Error ? cause.message : String(cause)}`;
  process.emitWarning(error.message, { type: 'ClustrWarning', code: error.code, detail });
}
