import { ClustrError, type Envelope } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/** Called on every n-th confirmation of an identifier, with the last one and all n of them. */
export type ConfirmationCallback = (lastMessage: Envelope<string>, messages: Envelope<string>[]) => void;

interface Counter {
  readonly n: number;
  readonly callback: ConfirmationCallback;
  messages: Envelope<string>[];
}

/**
 * Counts confirmation messages per identifier, as the original `onConfirmation(n, identifier, cb)`:
 * fires on every n-th match, then counts again from zero.
 */
export class Confirmations {
  readonly #counters = new Map<string, Set<Counter>>();

  /** Registers a counter; returns the function that removes it. */
  add(n: number, identifier: string, callback: ConfirmationCallback): () => void {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onConfirmation count ${describeValue(n)} is not valid (an integer of 1 or more)`,
      );
    }
    if (typeof identifier !== 'string' || identifier.length === 0) {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onConfirmation identifier ${describeValue(identifier)} is not valid (a non-empty string)`,
      );
    }
    if (typeof callback !== 'function') {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onConfirmation callback ${describeValue(callback)} is not a function`,
      );
    }
    const counter: Counter = { n, callback, messages: [] };
    let set = this.#counters.get(identifier);
    if (set === undefined) {
      set = new Set();
      this.#counters.set(identifier, set);
    }
    set.add(counter);
    return () => {
      set.delete(counter);
      if (set.size === 0 && this.#counters.get(identifier) === set) this.#counters.delete(identifier);
    };
  }

  /**
   * Counts one confirmation message; calls every callback whose count is reached. Returns the
   * errors callbacks threw, so the caller reports them without stopping the others.
   */
  count(envelope: Envelope): unknown[] | undefined {
    const { data } = envelope;
    if (typeof data !== 'string') return undefined;
    const set = this.#counters.get(data);
    if (set === undefined) return undefined;
    let errors: unknown[] | undefined;
    for (const counter of set) {
      counter.messages.push(envelope as Envelope<string>);
      if (counter.messages.length < counter.n) continue;
      const messages = counter.messages;
      counter.messages = [];
      try {
        counter.callback(envelope as Envelope<string>, messages);
      } catch (error) {
        if (errors === undefined) errors = [error];
        else errors.push(error);
      }
    }
    return errors;
  }
}
