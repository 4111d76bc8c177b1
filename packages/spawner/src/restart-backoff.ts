import type { NormalizedRestartOptions } from './spawn-spec.js';

/** How a run of a worker ended. */
export interface ExitInfo {
  /** The exit code, or null when a signal ended it (or it never started). */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null;
}

/** What follows an exit. */
export type RestartDecision =
  | { readonly kind: 'done' }
  | { readonly kind: 'gave-up' }
  | { readonly kind: 'restart'; readonly attempt: number; readonly delayMs: number };

/**
 * The restart bookkeeping of one spawn slot: policy, exponential backoff with a cap that resets
 * after a long enough run, and the crash-loop limit over a sliding window.
 */
export class RestartBackoff {
  /** Restarts since the backoff was last reset. */
  private consecutive = 0;
  /** When each restart within the window was decided (ms, monotonic). */
  private recent: number[] = [];

  constructor(private readonly options: NormalizedRestartOptions) {}

  /** Decides what follows `exit` of a run that lasted `uptimeMs`, at time `now` (ms, monotonic). */
  decide(exit: ExitInfo, uptimeMs: number, now: number): RestartDecision {
    const { policy, initialDelayMs, maxDelayMs, resetAfterMs, maxRestarts, windowMs } = this.options;
    if (policy === 'never') return { kind: 'done' };
    if (policy === 'on-failure' && exit.code === 0 && exit.signal === null) return { kind: 'done' };
    this.recent = this.recent.filter((at) => now - at < windowMs);
    if (this.recent.length >= maxRestarts) return { kind: 'gave-up' };
    if (uptimeMs >= resetAfterMs) this.consecutive = 0;
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.consecutive, 30));
    this.consecutive++;
    this.recent.push(now);
    return { kind: 'restart', attempt: this.consecutive, delayMs };
  }
}
