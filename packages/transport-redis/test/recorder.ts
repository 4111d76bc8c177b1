import type { ClustrError, Envelope, Transport } from '@clustr/protocol';

/** Everything a transport delivered and reported, with bounded waits on both. */
export interface Recorder {
  readonly messages: { channel: string; envelope: Envelope }[];
  readonly errors: ClustrError[];
  /** Resolves once `count` messages arrived; fails naming `what` after `timeoutMs`. */
  waitForMessages(count: number, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the first reported error that matches. */
  waitForError(
    match: (error: ClustrError) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ClustrError>;
}

/** Records a transport's messages and errors. */
export function record(transport: Transport): Recorder {
  const messages: Recorder['messages'] = [];
  const errors: ClustrError[] = [];
  const checks = new Set<() => void>();
  const check = (): void => {
    for (const run of checks) run();
  };
  transport.onMessage((channel, envelope) => {
    messages.push({ channel, envelope });
    check();
  });
  transport.onError((error) => {
    errors.push(error);
    check();
  });
  function waitUntil<T>(test: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const run = (): void => {
        const result = test();
        if (result === undefined) return;
        checks.delete(run);
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        checks.delete(run);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} (messages: ${messages.length}, errors: ${errors.map((e) => e.message).join(' | ')})`,
          ),
        );
      }, timeoutMs);
      checks.add(run);
      run();
    });
  }
  return {
    messages,
    errors,
    async waitForMessages(count, what, timeoutMs = 5_000) {
      await waitUntil(() => (messages.length >= count ? true : undefined), what, timeoutMs);
    },
    waitForError(match, what, timeoutMs = 5_000) {
      return waitUntil(() => errors.find(match), what, timeoutMs);
    },
  };
}
