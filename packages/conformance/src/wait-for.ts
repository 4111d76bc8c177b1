/**
 * Resolves when `check` returns a value other than `undefined`, re-checking whenever `subscribe`
 * signals a change; rejects after `timeoutMs` with a message saying what was awaited.
 */
export function waitFor<T>(
  subscribe: (onChange: () => void) => () => void,
  check: () => T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const first = check();
  if (first !== undefined) return Promise.resolve(first);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        clearTimeout(timer);
        unsubscribe();
        reject(error);
        return;
      }
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

export { within } from '@clustr-internal/test-utils';
