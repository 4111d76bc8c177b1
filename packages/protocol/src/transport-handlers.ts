import { type ClustrError, toClustrError } from './clustr-error.js';
import type { Envelope } from './envelope.js';
import { reportToHandlers } from './report-to-handlers.js';

type MessageHandler = (channel: string, envelope: Envelope) => void;
type ErrorHandler = (error: ClustrError) => void;

/**
 * A transport's `onMessage` and `onError` handlers, and the two ways to reach them: the one copy
 * every transport uses (IPC, Redis, the test utilities' memory transport).
 */
export interface TransportHandlers {
  onMessage(handler: MessageHandler): () => void;
  onError(handler: ErrorHandler): () => void;
  /** Hands a message to every message handler; one that throws is reported, the others still run. */
  deliver(channel: string, envelope: Envelope): void;
  /** Reports through `onError`; with no handler, as a process warning (never a crash). */
  report(error: ClustrError): void;
}

/** Creates the handler registry of one transport. */
export function createTransportHandlers(): TransportHandlers {
  const messageHandlers = new Set<MessageHandler>();
  const errorHandlers = new Set<ErrorHandler>();
  const report = (error: ClustrError) => reportToHandlers(errorHandlers, error);
  return {
    onMessage(handler) {
      messageHandlers.add(handler);
      return () => messageHandlers.delete(handler);
    },
    onError(handler) {
      errorHandlers.add(handler);
      return () => errorHandlers.delete(handler);
    },
    deliver(channel, envelope) {
      for (const handler of messageHandlers) {
        try {
          handler(channel, envelope);
        } catch (error) {
          // A throwing handler must not reach the transport's reader (a Redis client's parser would
          // drop the stream, a link's line reader the rest of the chunk).
          report(
            toClustrError(error, 'ERR_CLUSTR_TRANSPORT', `a message handler threw on channel "${channel}"`),
          );
        }
      }
    },
    report,
  };
}
