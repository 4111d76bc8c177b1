import { ClustrError, encodeData, type Meta } from '@clustr/protocol';
import type { RequestHandler } from './request-types.js';
import { describeThrown, encodeErrorReply, encodeReply, type RemoteErrorInfo } from './rpc-wire.js';

/** What the responder needs of its process. */
export interface ResponderHost {
  /** Publishes on a channel as this process; throws once the process has left. */
  send(channel: string, dataJson: string): void;
  report(error: ClustrError): void;
  /** The process's methods changed: its presence record must say so soon. */
  changed(): void;
}

interface Registration {
  readonly handler: RequestHandler;
  readonly exposeStack: boolean;
}

/**
 * The answering side of requests: one handler per method, each request handled once, its reply
 * (or what the handler threw) sent to the requester's rpc channel, at most once.
 */
export class Responder {
  readonly #handlers = new Map<string, Registration>();
  #methods: string[] | undefined;
  /** Requests whose handler has not finished. */
  handling = 0;
  /** Who waits for the requests being answered to be done (a shutdown). */
  #idle: (() => void)[] = [];

  constructor(private readonly host: ResponderHost) {}

  /** The methods this process answers, sorted; undefined when none (what its record lists). */
  get methods(): string[] | undefined {
    return this.#methods;
  }

  has(method: string): boolean {
    return this.#handlers.has(method);
  }

  /**
   * Registers the handler of `method`; returns the function that removes exactly it.
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` when the method already has one here
   */
  add(method: string, handler: RequestHandler, exposeStack: boolean): () => void {
    if (this.#handlers.has(method)) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onRequest method "${method}" already has a handler in this process (one per method: remove it first with the function onRequest returned)`,
        { details: { option: 'method', value: method } },
      );
    }
    const registration: Registration = { handler, exposeStack };
    this.#handlers.set(method, registration);
    this.#changed();
    return () => {
      if (this.#handlers.get(method) !== registration) return;
      this.#handlers.delete(method);
      this.#changed();
    };
  }

  /** A request from `meta`: runs its handler and replies to `replyTo`. */
  handle(meta: Meta, id: number, method: string, replyTo: string, data: unknown): void {
    const registration = this.#handlers.get(method);
    if (registration === undefined) {
      // Its record was out of date: the requester may try another member (nothing ran here).
      this.#send(replyTo, id, undefined, {
        name: 'ClustrError',
        message: `no handler for "${method}" here`,
        code: 'ERR_CLUSTR_NO_RESPONDER',
      });
      return;
    }
    this.handling++;
    let result: unknown;
    try {
      result = registration.handler({ meta, data });
      if (!isThenable(result)) {
        // The common case, answered in this turn: no closure, no promise.
        this.#done();
        this.#answer(replyTo, id, method, result);
        return;
      }
    } catch (error) {
      this.#done();
      this.#send(replyTo, id, undefined, describeThrown(error, registration.exposeStack));
      return;
    }
    this.#await(result, replyTo, id, method, registration.exposeStack);
  }

  /** Answers once what a handler's promise (or any thenable) settles to, whichever way it calls back. */
  #await(
    result: PromiseLike<unknown>,
    replyTo: string,
    id: number,
    method: string,
    exposeStack: boolean,
  ): void {
    let isDone = false;
    const settle = (value: unknown, error: unknown, hasFailed: boolean) => {
      if (isDone) return;
      isDone = true;
      this.#done();
      if (hasFailed) this.#send(replyTo, id, undefined, describeThrown(error, exposeStack));
      else this.#answer(replyTo, id, method, value);
    };
    try {
      result.then(
        (value) => settle(value, undefined, false),
        (error: unknown) => settle(undefined, error, true),
      );
    } catch (error) {
      settle(undefined, error, true);
    }
  }

  #answer(replyTo: string, id: number, method: string, value: unknown): void {
    let dataJson: string;
    try {
      dataJson = value === undefined ? 'null' : encodeData(value);
    } catch (error) {
      const invalid = error as ClustrError;
      this.host.report(
        new ClustrError(
          'ERR_CLUSTR_INVALID_DATA',
          `the reply of "${method}" cannot be sent: ${invalid.message}`,
          {
            cause: invalid,
          },
        ),
      );
      this.#send(replyTo, id, undefined, {
        name: 'ClustrError',
        message: `the handler's reply cannot be sent: ${invalid.message}`,
        code: 'ERR_CLUSTR_INVALID_DATA',
      });
      return;
    }
    this.#send(replyTo, id, dataJson, undefined);
  }

  #send(replyTo: string, id: number, dataJson: string | undefined, error: RemoteErrorInfo | undefined): void {
    try {
      this.host.send(
        replyTo,
        dataJson === undefined ? encodeErrorReply(id, error!) : encodeReply(id, dataJson),
      );
    } catch {
      // This process has left the cluster: the requester hears it leave instead.
    }
  }

  /** Resolves once no request is being answered (at once when none is). */
  whenIdle(): Promise<void> {
    if (this.handling === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #done(): void {
    if (--this.handling > 0 || this.#idle.length === 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #changed(): void {
    this.#methods = this.#handlers.size === 0 ? undefined : [...this.#handlers.keys()].sort();
    this.host.changed();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
