import type { EventEmitter } from 'node:events';
import type { ClustrError } from '@clustr/protocol';
import { reportToEmitter } from '@clustr/protocol/internal';
import { EXIT_BAD_HANDSHAKE } from './defaults.js';
import { type ExitInfo, RestartBackoff } from './restart-backoff.js';
import * as slotErrors from './slot-errors.js';
import type { Run } from './slot-run.js';
import {
  type FinalSlotState,
  holdsRun,
  isFinal,
  isRunReady,
  type RunOutcome,
  type SlotEvent,
  type SlotState,
} from './slot-state.js';
import type { NormalizedSpawnSpec } from './spawn-spec.js';
import type { WorkerHandleEvents } from './worker-handle.js';

/** How long the last lines of an exited child may take to be read before its pipe is closed. */
export const EXIT_DRAIN_MS = 200;

/** What the ends of its runs need of a slot. */
export interface EndingSlot {
  readonly workerId: string;
  readonly spec: NormalizedSpawnSpec;
  /** The slot itself: where `exit` and `restart` are told and errors reported. */
  readonly events: EventEmitter<WorkerHandleEvents>;
  /** Where the slot is now; `apply` moves it on. */
  state(): SlotState<Run>;
  apply(event: SlotEvent<Run>): SlotState<Run>;
  /** The backoff is over: the next run starts. */
  restart(): void;
  /** The slot ended for good: its `ready` and `exited` settle. */
  finish(state: FinalSlotState['kind'], info: ExitInfo): void;
}

/**
 * What the end of each run of a slot leads to. The child's last lines are read first; a refused
 * handshake (once per slot) or a failed start is reported; the run leaves the slot's state
 * before its exit is told; then the slot stops when a stop was asked for, else the restart
 * policy decides: a restart after its backoff, or the slot's end (exited, or gave up).
 */
export class SlotExits {
  /** How the last run ended: what a stop without a live run resolves with. */
  private last: ExitInfo | undefined;
  /** A refused handshake is reported once per slot, not per run: a restart that refuses again is the same fault. */
  private isHandshakeReported = false;
  private readonly backoff: RestartBackoff;

  constructor(private readonly slot: EndingSlot) {
    this.backoff = new RestartBackoff(slot.spec.restart);
  }

  /** How the last run ended, if one did. */
  get lastExit(): ExitInfo | undefined {
    return this.last;
  }

  /** `run`'s child exited; its end is told once its link closed, or `EXIT_DRAIN_MS` later. */
  exited(run: Run, info: ExitInfo): void {
    const link = run.link;
    if (link === undefined || link.isClosed) {
      this.ended(run, info);
      return;
    }
    // The child's last lines may still sit in the pipe: read them before the exit is told.
    const timer = setTimeout(() => link.destroy(), EXIT_DRAIN_MS);
    link.onClose(() => {
      clearTimeout(timer);
      this.ended(run, info);
    });
  }

  /** A start threw before its run existed. */
  startFailed(error: unknown): void {
    this.report(this.notStarted(String(error), error));
    this.decide(undefined, { code: null, signal: null }, 0);
  }

  /** `run` ended (`spawnError`: its child never got a pid); stale runs are ignored. */
  ended(run: Run, info: ExitInfo, spawnError?: Error): void {
    const ending = this.slot.state();
    if (!holdsRun(ending, run)) return;
    const reports: ClustrError[] = [];
    if (info.code === EXIT_BAD_HANDSHAKE && !isRunReady(ending) && !this.isHandshakeReported) {
      this.isHandshakeReported = true;
      reports.push(slotErrors.refusedHandshake(this.slot.workerId, this.slot.spec.file, info));
    }
    if (spawnError !== undefined) {
      reports.push(this.notStarted(spawnError.message, spawnError));
    }
    this.decide(run, info, performance.now() - run.startedAt, reports);
  }

  /**
   * Ends the live `run` (`undefined`: a start that threw) — stopped, done, given up or
   * restarting — then reports `reports` and tells the exit.
   */
  private decide(run: Run | undefined, info: ExitInfo, uptimeMs: number, reports: ClustrError[] = []): void {
    const { slot } = this;
    const before = slot.state();
    // A start that threw may be reported after stop() already ended the slot.
    if (!holdsRun(before, run)) return;
    this.last = info;
    // The run is over before anything about its end is told, so a listener never sees it live.
    const after = slot.apply({
      type: 'ended',
      run,
      leadsTo: before.kind === 'stopping' ? { kind: 'stopped' } : this.outcome(info, uptimeMs),
    });
    if (before.kind === 'stopping') clearTimeout(before.killTimer);
    run?.link?.destroy();
    for (const error of reports) this.report(error);
    slot.events.emit('exit', info);
    if (after.kind !== 'restarting') {
      if (isFinal(after)) slot.finish(after.kind, info);
      return;
    }
    // A listener may have stopped the slot: then no restart follows, and none is told.
    if (slot.state() === after) slot.events.emit('restart', after.restart);
  }

  /** What the restart policy makes of a run that ended while no stop was asked for. */
  private outcome(info: ExitInfo, uptimeMs: number): RunOutcome {
    const decision = this.backoff.decide(info, uptimeMs, performance.now());
    if (decision.kind === 'done') return { kind: 'exited' };
    if (decision.kind === 'gave-up') return { kind: 'gave-up' };
    const timer = setTimeout(() => this.slot.restart(), decision.delayMs);
    return { kind: 'restarting', timer, restart: { attempt: decision.attempt, delayMs: decision.delayMs } };
  }

  private notStarted(reason: string, cause: unknown): ClustrError {
    return slotErrors.notStarted(this.slot.workerId, this.slot.spec.file, reason, cause);
  }

  private report(error: ClustrError): void {
    reportToEmitter(this.slot.events, error);
  }
}
