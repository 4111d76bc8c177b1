import type { BenchCounts } from './bench-options.js';
import type { RunContext } from './measurement.js';
import type { Placement } from './placement.js';

/** A {@link RunContext} plus the means to end it. */
export interface OwnedRunContext extends RunContext {
  /** Runs every deferred cleanup in reverse order; cleanup errors are collected, not thrown. */
  cleanup(): Promise<string[]>;
}

/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${Math.round(ms)} ms waiting for ${what}`)),
      Math.max(0, ms),
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Makes the context of one measurement run, with a deadline `timeoutMs` from now. */
export function createRunContext(options: {
  counts: BenchCounts;
  redisUrl: string;
  namespace: string;
  placement: Placement;
  timeoutMs: number;
}): OwnedRunContext {
  const deadline = Date.now() + options.timeoutMs;
  const cleanups: (() => unknown)[] = [];
  return {
    counts: options.counts,
    redisUrl: options.redisUrl,
    namespace: options.namespace,
    placement: options.placement,
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    wait(promise, what) {
      return withTimeout(promise, deadline - Date.now(), what);
    },
    async cleanup() {
      const errors: string[] = [];
      for (const cleanup of cleanups.reverse()) {
        try {
          await withTimeout(Promise.resolve(cleanup()), 10_000, 'a cleanup step');
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
      return errors;
    },
  };
}
