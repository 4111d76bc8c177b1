import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { ClustrError } from '@clustr/protocol';
import type { ExitInfo } from './restart-backoff.js';

/** Where a worker's spawn slot is in its life. */
export type WorkerState = 'starting' | 'running' | 'restarting' | 'exited' | 'gave-up' | 'stopped';

/** Told with every `'restart'`: which attempt since the backoff was last reset, after what delay. */
export interface RestartInfo {
  /** 1 for the first restart after a reset of the backoff, then 2, 3… */
  readonly attempt: number;
  /** The delay before the new start. */
  readonly delayMs: number;
}

/** Options of {@link WorkerHandle.stop}. */
export interface StopOptions {
  /**
   * The signal sent first.
   * @default 'SIGTERM'
   */
  signal?: NodeJS.Signals;
  /**
   * Grace before SIGKILL.
   * @default the spec's `stopTimeoutMs` (5000)
   */
  timeoutMs?: number;
}

/** Options of {@link WorkerHandle.reload}. */
export interface ReloadOptions {
  /**
   * How long the new incarnation may take to be ready (its ready signal, then `whenReady`).
   * @default 30000
   */
  readyTimeoutMs?: number;
  /**
   * What else "ready" means, awaited after the new incarnation's ready signal and before the
   * old one is retired, e.g. "presence shows it ready" (what a master's `reload()` waits for).
   * @default nothing more
   */
  whenReady?: (pid: number) => Promise<void>;
}

/** What a {@link WorkerHandle.reload} did. */
export interface ReloadResult {
  readonly workerId: string;
  /** The new incarnation's pid. */
  readonly pid: number;
  /** The old incarnation's pid, and how it exited. */
  readonly previousPid: number;
  readonly previousExit: ExitInfo;
  /** From the start of the new incarnation until it was ready. */
  readonly readyMs: number;
  /** From the retire order until the old incarnation had exited. */
  readonly retireMs: number;
}

/** The events of a {@link WorkerHandle}. */
export interface WorkerHandleEvents {
  /** A run started (also after each restart), with its pid. */
  spawn: [pid: number];
  /** The run signalled ready (every run). */
  ready: [];
  /** A run ended (every run). */
  exit: [info: ExitInfo];
  /** A new run is scheduled after `delayMs`. */
  restart: [info: RestartInfo];
  /** The crash-loop limit was reached: no more restarts. */
  'gave-up': [info: ExitInfo];
  /** User traffic from the child (valid JSON without `"clustr":1`). */
  message: [message: unknown];
  /** A run failed to start, or bad input no transport's `onBadInput` handler took. Without listener: a process warning. */
  error: [error: ClustrError];
}

/**
 * One spawn slot: a child process, supervised and restarted under the same workerId. Returned
 * by `spawnWorkers()` at once, before the child runs.
 */
export interface WorkerHandle extends EventEmitter<WorkerHandleEvents>, AsyncDisposable {
  /** The child's workerId, stable across restarts. */
  readonly workerId: string;
  /** The pid of the current run, undefined while none runs. */
  readonly pid: number | undefined;
  /** How many times the child was started again. */
  readonly restarts: number;
  readonly state: WorkerState;
  /** The current run's stdout when the spec has `stdio: 'pipe'`, else null. */
  readonly stdout: Readable | null;
  /** The current run's stderr when the spec has `stdio: 'pipe'`, else null. */
  readonly stderr: Readable | null;
  /**
   * Resolves the first time the child is ready; rejects (`ERR_CLUSTR_SPAWN_FAILED`) when the slot
   * ends for good before that.
   */
  readonly ready: Promise<void>;
  /** The final exit: the one no restart follows. Never rejects. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Sends user traffic to the child as one JSON line (a Node child gets it as a process
   * `'message'`). Returns false when no run is live or the pipe is full.
   * @throws ClustrError `ERR_CLUSTR_INVALID_DATA` when JSON cannot carry `message`
   */
  send(message: unknown): boolean;
  /**
   * Ends the child without restart: `signal`, then SIGKILL after `timeoutMs`. Idempotent.
   * Invalid `options` (not `undefined` or an object, an unknown option, a `signal` that is no
   * signal name, a `timeoutMs` that is no integer from 0 to 2147483647) reject the returned
   * promise with `ERR_CLUSTR_INVALID_OPTION` and change nothing; it never throws.
   */
  stop(options?: StopOptions): Promise<ExitInfo>;
  /**
   * Replaces the running child by a new incarnation — the same spec (CPU pin, env, args) and
   * workerId — without a moment with none: the new one starts next to it; once it is ready the
   * old one is retired (a `retire` frame on its link: a clustr worker shuts down with reason
   * `reload` and exits 0; SIGTERM for a child without a link) and awaited, SIGKILLed after
   * `stopTimeoutMs`. `restarts` counts the new incarnation. A new incarnation that exits or is
   * not ready within `readyTimeoutMs` is killed and the old one stays: the promise rejects with
   * `ERR_CLUSTR_RELOAD_FAILED`, as it does when the child is not running (and ready) or another
   * reload is under way. Never throws.
   */
  reload(options?: ReloadOptions): Promise<ReloadResult>;
}
