import { type ClustrError, type Envelope, reportToHandlers, toClustrError } from '@clustr/protocol';

type MessageHandler = (channel: string, envelope: Envelope) => void;
type ErrorHandler = (error: ClustrError) => void;

/** This process's `onMessage` and `onError` handlers, and the two ways to reach them. */
export interface LocalHandlers {
  onMessage(handler: MessageHandler): () => void;
  onError(handler: ErrorHandler): () => void;
  /** Hands a message to every message handler; one that throws is reported, the others still run. */
  deliver(channel: string, envelope: Envelope): void;
  /** Reports through `onError`; with no handler, as a process warning (never a crash). */
  report(error: ClustrError): void;
}

/** Creates the handler registry of one Redis transport. */
export function createLocalHandlers(): LocalHandlers {
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
          // A throwing handler must not reach the client's parser, which would drop the stream.
          report(
            toClustrError(error, 'ERR_CLUSTR_TRANSPORT', `a message handler for channel "${channel}" threw`),
          );
        }
      }
    },
    report,
  };
}
