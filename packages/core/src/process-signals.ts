import { EXIT_INTERRUPTED, type ShutdownSignal } from './shutdown-types.js';

/** What a process does on the signals it handles. */
export interface SignalHost {
  /** True once the process is shutting down (a second SIGINT then exits at once). */
  isShuttingDown(): boolean;
  /** A graceful stop: the process shuts down and exits 0. */
  stop(signal: ShutdownSignal): void;
  /** SIGHUP, when the process has a meaning of its own for it (a master reloads); else SIGHUP stops. */
  hangUp?(): void;
}

/**
 * The signal listeners of one master or worker (`handleSignals`, on by default): SIGTERM and
 * SIGINT stop it gracefully, SIGHUP reloads a master and stops a worker, and a second SIGINT
 * while it shuts down exits at once with 130 (the impatient Ctrl-C). Installed when the process
 * is created, removed when it has left: a closed process leaves the signals as it found them.
 */
export class ProcessSignals {
  readonly #listeners: ReadonlyArray<readonly [ShutdownSignal, () => void]>;
  #isInstalled = false;

  constructor(host: SignalHost) {
    const on = (signal: ShutdownSignal) => () => {
      if (host.isShuttingDown()) {
        if (signal === 'SIGINT') process.exit(EXIT_INTERRUPTED);
        return;
      }
      if (signal === 'SIGHUP' && host.hangUp !== undefined) host.hangUp();
      else host.stop(signal);
    };
    this.#listeners = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((signal) => [signal, on(signal)]);
  }

  install(): void {
    if (this.#isInstalled) return;
    this.#isInstalled = true;
    for (const [signal, listener] of this.#listeners) process.on(signal, listener);
  }

  uninstall(): void {
    if (!this.#isInstalled) return;
    this.#isInstalled = false;
    for (const [signal, listener] of this.#listeners) process.removeListener(signal, listener);
  }
}
