import { waitFor } from '@clustr-internal/conformance';

/** Change notification plus bounded waits on a condition: the scenarios' only way to wait. */
export class Observer {
  readonly #listeners = new Set<() => void>();

  /** Wakes everything waiting in {@link until}. */
  notify = (): void => {
    for (const listener of [...this.#listeners]) listener();
  };

  /** Waits until `check` returns a value, re-checking on every change; fails naming `what`. */
  until<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return waitFor(
      (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      check,
      what,
      timeoutMs,
    );
  }
}
