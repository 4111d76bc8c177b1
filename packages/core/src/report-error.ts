import type { EventEmitter } from 'node:events';
import type { ClustrError } from '@clustr/protocol';

/**
 * Hands an error to the process's `error` listeners, or — when there are none, as in the
 * original README's workers — to `process.emitWarning`, so that nothing clustr receives from
 * outside can crash the process, and nothing passes silently.
 */
export function reportError(emitter: EventEmitter, error: ClustrError): void {
  if (emitter.listenerCount('error') > 0) {
    emitter.emit('error', error);
    return;
  }
  process.emitWarning(error.message, {
    type: 'ClustrWarning',
    code: error.code,
    detail: describeCause(error),
  });
}

function describeCause(error: ClustrError): string | undefined {
  const { cause } = error;
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `cause: ${cause.message}` : `cause: ${String(cause)}`;
}
