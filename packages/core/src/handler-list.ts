import type { Envelope } from '@clustr/protocol';

/** A message handler, as registered with `onPublic`, `onGroup` or `onPrivate`. */
export type MessageHandler<T = unknown> = (message: Envelope<T>) => void;

/**
 * The handlers of one channel. Copy-on-write, so that delivery iterates a stable array without
 * allocating, and a handler may remove itself (or add another) while it runs.
 */
export class HandlerList {
  #handlers: readonly MessageHandler[] = [];

  get size(): number {
    return this.#handlers.length;
  }

  /** Adds `handler`; returns the function that removes exactly this registration. */
  add(handler: MessageHandler): () => void {
    this.#handlers = [...this.#handlers, handler];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const index = this.#handlers.indexOf(handler);
      if (index !== -1) this.#handlers = this.#handlers.filter((_, i) => i !== index);
    };
  }

  /** Calls every handler; returns what the ones that threw threw, without stopping the rest. */
  deliver(envelope: Envelope): unknown[] | undefined {
    let errors: unknown[] | undefined;
    for (const handler of this.#handlers) {
      try {
        handler(envelope);
      } catch (error) {
        if (errors === undefined) errors = [error];
        else errors.push(error);
      }
    }
    return errors;
  }
}
