import { ClustrError, toClustrError } from '@clustr/protocol';
import { checkBoolean, checkDuration } from '@clustr/protocol/internal';
import { ProcessSignals, type SignalHost } from './process-signals.js';
import { ShutdownHooks } from './shutdown-hooks.js';
import {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  exitCodeOf,
  type ShutdownHook,
  type ShutdownOptions,
  type ShutdownReason,
} from './shutdown-types.js';

/** The steps of a shutdown that belong to the process; the sequence here puts them in order. */
export interface ShutdownSteps {
  /** First: the process says it is leaving; retired by a reload, it hands its own channels over. */
  begin(reason: ShutdownReason): Promise<void>;
  /** The work in hand the shutdown waits for with the hooks (the requests being answered). */
  answered(): { what: string; done: Promise<void> };
  /** Stops the children this process spawned; each runs its own shutdown first (leaves first). */
  stopChildren(): Promise<void>;
  /** The hooks are over: from now on the process publishes nothing (what it tries is dropped). */
  leave(): void;
  /** Unsubscribes, says goodbye for `reason`, closes the transport. */
  depart(reason: ShutdownReason): Promise<void>;
  /** Last, whatever failed before: the process has left. */
  finish(): void;
  report(error: ClustrError): void;
}

/**
 * The shutdown of one master or worker: its hooks (`onShutdown`), its signal listeners, and the
 * sequence — children stop (their hooks run first: leaves first), then this process's hooks
 * under `shutdownTimeoutMs`, then it unsubscribes, says goodbye and closes its transport. Where
 * the process is in that sequence is its state (`closing`, `draining` then `leaving`).
 */
export class ProcessShutdown {
  readonly #hooks = new ShutdownHooks();
  readonly #signals: ProcessSignals | undefined;
  readonly options: ShutdownOptions;
  /** Publishes refused since the process began to leave; reported once, at the end. */
  #dropped = 0;

  /** @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a bad `shutdownTimeoutMs` or `handleSignals` */
  constructor(options: { shutdownTimeoutMs?: unknown; handleSignals?: unknown }, signals: SignalHost) {
    this.options = {
      shutdownTimeoutMs: checkDuration(
        'option "shutdownTimeoutMs"',
        options.shutdownTimeoutMs,
        DEFAULT_SHUTDOWN_TIMEOUT_MS,
      ),
      handleSignals: checkBoolean('option "handleSignals"', options.handleSignals, true),
    };
    this.#signals = this.options.handleSignals ? new ProcessSignals(signals) : undefined;
  }

  /** Starts handling signals (when asked to): last in `create()`, so a refused one installs nothing. */
  listen(): void {
    this.#signals?.install();
  }

  /** Registers a hook; returns its remover. */
  add(hook: ShutdownHook): () => void {
    return this.#hooks.add(hook);
  }

  /** A publish came after the hooks: dropped, counted. */
  dropped(): void {
    this.#dropped++;
  }

  /** Exits the process with `reason`'s code (0 but for a kill's) once `done` settled; a failure is reported first. */
  exitAfter(done: Promise<void>, reason: ShutdownReason, report: (error: ClustrError) => void): void {
    void done
      .catch((error: unknown) =>
        report(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', 'leaving the cluster failed')),
      )
      .finally(() => process.exit(exitCodeOf(reason) ?? 0));
  }

  /** Runs the sequence for `reason`; settles when the process has left. */
  async run(reason: ShutdownReason, steps: ShutdownSteps): Promise<void> {
    try {
      await steps.begin(reason);
      await steps.stopChildren();
      await this.#hooks.run(
        reason,
        this.options.shutdownTimeoutMs,
        (error) => steps.report(error),
        steps.answered(),
      );
      steps.leave();
      await steps.depart(reason);
    } finally {
      // Children a failed step left behind, or spawned by a hook.
      await steps.stopChildren();
      this.#signals?.uninstall();
      if (this.#dropped > 0) {
        steps.report(
          new ClustrError(
            'ERR_CLUSTR_CLOSED',
            `${this.#dropped} message(s) published after the shutdown hooks were dropped (the process was leaving; publish from a shutdown hook to have them delivered)`,
            { details: { dropped: this.#dropped, reason: reason.kind } },
          ),
        );
      }
      steps.finish();
    }
  }
}
