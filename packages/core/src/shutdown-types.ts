import type { Meta } from '@clustr/protocol';

/**
 * Why a process is shutting down, as every shutdown hook is told: a kill order
 * (`killWorker`), a signal (SIGTERM, SIGINT, and SIGHUP on a worker), `close()`, or a rolling
 * reload that replaced this incarnation.
 */
export type ShutdownReason =
  | { readonly kind: 'kill'; readonly code: number; readonly from: Meta }
  | { readonly kind: 'signal'; readonly signal: ShutdownSignal }
  | { readonly kind: 'close' }
  | { readonly kind: 'reload' };

/** The signals a process stops gracefully on (SIGHUP only on a worker: a master reloads). */
export type ShutdownSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

/**
 * A shutdown hook: what a process does before it leaves, e.g. finish the work in hand. It may
 * return a promise; every hook runs, concurrently, under one deadline (`shutdownTimeoutMs`).
 */
export type ShutdownHook = (reason: ShutdownReason) => void | PromiseLike<void>;

/** How long the shutdown hooks of one process may run together before it leaves anyway. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

/** The exit code a second SIGINT during a shutdown exits with at once (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/**
 * The exit code a process that left for `reason` exits with: the kill's code, 0 for a graceful
 * stop on a signal or a reload (a SIGTERM stop counts as clean, as systemd counts it), and
 * `undefined` for `close()`, which leaves the process running.
 */
export function exitCodeOf(reason: ShutdownReason): number | undefined {
  switch (reason.kind) {
    case 'kill':
      return reason.code;
    case 'close':
      return undefined;
    default:
      return 0;
  }
}

/** The shutdown options of a master or worker, checked, with their defaults. */
export interface ShutdownOptions {
  readonly shutdownTimeoutMs: number;
  readonly handleSignals: boolean;
}
