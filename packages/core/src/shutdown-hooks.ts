import { ClustrError, toClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import type { ShutdownHook, ShutdownReason } from './shutdown-types.js';

/** How the hooks of one shutdown ended: how many threw, how many were still running at the deadline. */
export interface HooksOutcome {
  readonly failed: number;
  readonly overran: number;
}

/**
 * The shutdown hooks of one process (`onShutdown`). They start in registration order and run
 * concurrently under one deadline; a hook that throws or overruns is reported, and the process
 * leaves anyway.
 */
export class ShutdownHooks {
  readonly #hooks = new Set<{ hook: ShutdownHook }>();

  /**
   * Registers `hook`; returns its remover.
   * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a hook that is not a function
   */
  add(hook: ShutdownHook): () => void {
    if (typeof hook !== 'function') {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onShutdown hook ${describeValue(hook)} is not a function`,
      );
    }
    // Wrapped: the same function registered twice runs twice, and each remover removes its own.
    const entry = { hook };
    this.#hooks.add(entry);
    return () => void this.#hooks.delete(entry);
  }

  /**
   * Runs every hook with `reason`; settles when all have — and `alongside` (the process's own
   * work in hand, e.g. the requests it is answering) — or after `timeoutMs`, whichever is first.
   * What a hook threw and what still runs at the deadline go to `report`.
   */
  async run(
    reason: ShutdownReason,
    timeoutMs: number,
    report: (error: ClustrError) => void,
    alongside: { what: string; done: Promise<void> } = { what: '', done: Promise.resolve() },
  ): Promise<HooksOutcome> {
    const running = new Set<number>();
    let failed = 0;
    const settled = [...this.#hooks].map(({ hook }, index) => {
      running.add(index);
      return (async () => hook(reason))().then(
        () => running.delete(index),
        (error: unknown) => {
          running.delete(index);
          failed++;
          report(toClustrError(error, 'ERR_CLUSTR_HANDLER_FAILED', `shutdown hook ${index + 1} threw`));
        },
      );
    });
    let isAlongsideDone = false;
    settled.push(
      alongside.done.then(() => {
        isAlongsideDone = true;
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.all(settled), deadline]);
    clearTimeout(timer);
    if (outcome !== 'late') return { failed, overran: 0 };
    if (!isAlongsideDone) {
      report(
        new ClustrError(
          'ERR_CLUSTR_TIMEOUT',
          `${alongside.what} still unfinished after shutdownTimeoutMs (${timeoutMs} ms): leaving anyway`,
          { details: { timeoutMs, reason: reason.kind } },
        ),
      );
    }
    if (running.size === 0) return { failed, overran: 0 };
    const late = [...running].map((index) => index + 1);
    report(
      new ClustrError(
        'ERR_CLUSTR_TIMEOUT',
        `shutdown hook(s) ${late.join(', ')} still running after shutdownTimeoutMs (${timeoutMs} ms): leaving anyway`,
        { details: { hooks: late, timeoutMs, reason: reason.kind } },
      ),
    );
    return { failed, overran: late.length };
  }
}
