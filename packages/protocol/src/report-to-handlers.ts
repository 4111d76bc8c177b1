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
    process.emitWarning(error);
    return;
  }
  for (const handler of handlers) {
    try {
      handler(error);
    } catch (thrown) {
      process.emitWarning(toClustrError(thrown, 'ERR_CLUSTR_TRANSPORT', 'an error handler threw'));
    }
  }
}
