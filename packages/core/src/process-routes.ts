import { type ClustrError, type Envelope, toClustrError } from '@clustr/protocol';
import { reportToEmitter as reportError } from '@clustr/protocol/internal';
import { ClusterMember } from './cluster-member.js';
import type { HandlerList, MessageHandler } from './handler-list.js';
import * as errors from './process-errors.js';
import type { Dispatch } from './resolve-transport.js';

/**
 * Where a process's incoming messages go: a route per channel (to a handler list, presence,
 * requests, kill orders), and how what the handlers throw is reported.
 */
export abstract class ProcessRoutes extends ClusterMember {
  /** The route of each channel this process subscribes to; the transport's messages go through it. */
  protected readonly routes = new Map<string, Dispatch>();

  /** Registers a handler for messages on `channel`. */
  protected addHandler<T>(channel: string, handler: MessageHandler<T>, method: string): () => void {
    if (typeof handler !== 'function') throw errors.invalidHandler(method, handler);
    return this.handlersOf(channel).add(handler as MessageHandler);
  }

  /** The handler list of one of this process's own channels. */
  protected abstract handlersOf(channel: string): HandlerList;

  /** Routes every message on `channel` to `dispatch`. */
  protected route(channel: string, dispatch: Dispatch): void {
    this.routes.set(channel, dispatch);
  }

  /** Delivers to a handler list and reports what the handlers threw. */
  protected deliver(list: HandlerList, envelope: Envelope): void {
    const thrown = list.deliver(envelope);
    if (thrown !== undefined) this.reportHandlerErrors(thrown);
  }

  /** Reports errors user handlers threw, without stopping delivery. */
  protected reportHandlerErrors(thrown: unknown[]): void {
    for (const error of thrown) {
      this.report(toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', 'a message handler threw'));
    }
  }

  /** Reports an error as an `error` event (or a warning), and counts it for presence. */
  protected report(error: ClustrError): void {
    this.presence.counters.errors++;
    reportError(this, error);
  }
}
