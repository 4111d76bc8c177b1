import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { type ChildLink, type ClustrError, encodeData } from '@clustr/protocol';
import { reportToEmitter } from '@clustr/protocol/internal';
import { answerHello } from './answer-hello.js';
import { checkStopOptions } from './check-stop-options.js';
import type { ChildLinkImpl } from './child-link.js';
import { DEFAULT_STOP_SIGNAL, EXIT_BAD_HANDSHAKE } from './defaults.js';
import { signalProcessGroup } from './foreign-children.js';
import { type ExitInfo, RestartBackoff } from './restart-backoff.js';
import * as slotErrors from './slot-errors.js';
import { reloadSlot } from './slot-reload.js';
import { launchRun, type Run } from './slot-run.js';
import {
  type FinalSlotState,
  holdsRun,
  initialSlotState,
  isFinal,
  isRunReady,
  liveRun,
  nextRun,
  nextSlotState,
  publicState,
  type RunOutcome,
  type SlotEvent,
  type SlotState,
} from './slot-state.js';
import type { NormalizedSpawnSpec } from './spawn-spec.js';
import type { ChildIdentity } from './start-child.js';
import type {
  ReloadOptions,
  ReloadResult,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerState,
} from './worker-handle.js';

/** How long the last lines of an exited child may take to be read before its pipe is closed. */
const EXIT_DRAIN_MS = 200;

/** The parent's `adopt` hook, called at every start before any frame is delivered. */
export type AdoptHook = (link: ChildLink, handle: WorkerHandle) => void;

/** The {@link WorkerHandle} implementation: runs, supervises and restarts one spawn slot. */
export class WorkerSlot extends EventEmitter<WorkerHandleEvents> implements WorkerHandle {
  readonly ready: Promise<void>;
  readonly exited: Promise<ExitInfo>;
  private lifecycle: SlotState<Run> = initialSlotState();
  /** The last run whose child was created, live or not: its output may still be read. */
  private latestRun: Run | undefined;
  /** How the last run ended: what a stop without a live run resolves with. */
  private lastExit: ExitInfo | undefined;
  private restartCount = 0;
  /** Told when a reload's successor says it is ready (it is not the live run yet). */
  private onSuccessorReady: ((run: Run) => void) | undefined;
  /** A refused handshake is reported once per slot, not per run: a restart that refuses again is the same fault. */
  private isHandshakeReported = false;
  private readonly backoff: RestartBackoff;
  private resolveReady!: () => void;
  private rejectReady!: (error: ClustrError) => void;
  private resolveExited!: (info: ExitInfo) => void;

  constructor(
    private readonly spec: NormalizedSpawnSpec,
    private readonly identity: ChildIdentity,
    private readonly adopt: AdoptHook | undefined,
  ) {
    super();
    this.backoff = new RestartBackoff(spec.restart);
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody has to await `ready`: a slot that never gets ready must not be an unhandled rejection.
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve;
    });
  }

  get workerId(): string {
    return this.identity.workerId;
  }
  get pid(): number | undefined {
    return liveRun(this.lifecycle)?.child.pid;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get state(): WorkerState {
    return publicState(this.lifecycle);
  }
  /** The link of the current run (internal: the transport gets it through the adopt hook). */
  get link(): ChildLinkImpl | undefined {
    return liveRun(this.lifecycle)?.link;
  }
  get stdout(): Readable | null {
    return this.latestRun?.child.stdout ?? null;
  }
  get stderr(): Readable | null {
    return this.latestRun?.child.stderr ?? null;
  }

  /** Starts a run (the first, or a restart). */
  start(): void {
    const run = this.launch((run) => this.apply({ type: 'spawned', run }));
    if (run !== undefined) this.latestRun = run;
  }

  /**
   * Starts a new incarnation of this worker next to the live one, for a rolling reload (see
   * {@link WorkerSlot.reload}): the same spec and workerId. Undefined when its start threw.
   */
  startSuccessor(onReady: (run: Run) => void): Run | undefined {
    this.onSuccessorReady = onReady;
    return this.launch((run) => this.apply({ type: 'reload', next: run }));
  }

  /** Creates the child of a run; `record` puts it in the slot's state before anything of it is told. */
  private launch(record: (run: Run) => void): Run | undefined {
    return launchRun(this.spec, this.identity, {
      record,
      adopt: (link) => this.adopt?.(link, this),
      control: (run, type) => this.control(run, type),
      message: (value) => this.emit('message', value),
      report: (error) => this.report(error),
      spawned: (run, pid) => {
        this.emit('spawn', pid);
        if (this.spec.readySignal === 'spawn') this.markReady(run);
      },
      startFailed: (error) => this.startFailed(error),
      ended: (run, info, error) => this.endRun(run, info, error),
      exited: (run, info) => this.afterExit(run, info),
    });
  }

  send(message: unknown): boolean {
    const line = `${encodeData(message)}\n`;
    return this.link?.sendUserLine(line) ?? false;
  }

  stop(options?: StopOptions): Promise<ExitInfo> {
    let signal: NodeJS.Signals;
    let timeoutMs: number;
    try {
      // Checked before anything else, so a bad call is refused the same way in every state.
      ({ signal, timeoutMs } = checkStopOptions(options, {
        signal: DEFAULT_STOP_SIGNAL,
        timeoutMs: this.spec.stopTimeoutMs,
      }));
    } catch (error) {
      return Promise.reject(error);
    }
    const before = this.lifecycle;
    if (before.kind === 'stopping' || isFinal(before)) return this.exited;
    const run = liveRun(before);
    if (run === undefined) {
      if (before.kind === 'restarting') clearTimeout(before.timer);
      this.apply({ type: 'stop' });
      this.finish('stopped', this.lastExit ?? { code: null, signal: null });
      return this.exited;
    }
    this.apply({ type: 'signalled', killTimer: setTimeout(() => this.signal(run, 'SIGKILL'), timeoutMs) });
    this.signal(run, signal);
    return this.exited;
  }

  reload(options?: ReloadOptions): Promise<ReloadResult> {
    return reloadSlot<Run>(
      {
        workerId: this.workerId,
        file: this.spec.file,
        stopTimeoutMs: this.spec.stopTimeoutMs,
        isForeign: this.spec.command !== undefined,
        current: () => {
          const state = this.lifecycle;
          if (state.kind !== 'running') return `it is ${publicState(state)}`;
          return state.next === undefined ? state.run : 'another reload is under way';
        },
        startSuccessor: (onReady) => this.startSuccessor(onReady),
        isSuccessor: (run) => nextRun(this.lifecycle) === run,
        handOver: (run) => {
          this.apply({ type: 'ready', run });
          this.restartCount++;
          this.latestRun = run;
          this.emit('ready');
        },
        dropSuccessor: (run) => {
          this.apply({ type: 'ended', run, leadsTo: { kind: 'exited' } });
        },
        signal: (run, signal) => this.signal(run, signal),
      },
      options,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private apply(event: SlotEvent<Run>): SlotState<Run> {
    const before = this.lifecycle;
    this.lifecycle = nextSlotState(before, event);
    // A reload's successor the state let go of without a handover (a stop, the old run's end,
    // a failed reload) must not outlive it.
    const next = nextRun(before);
    if (next !== undefined && nextRun(this.lifecycle) !== next && liveRun(this.lifecycle) !== next)
      this.signal(next, 'SIGKILL');
    return this.lifecycle;
  }

  private signal(run: Run, signal: NodeJS.Signals): void {
    if (this.spec.command !== undefined) signalProcessGroup(run.child, signal);
    else run.child.kill(signal);
  }

  /** The handshake frames the slot answers itself; every other frame goes to the transport. */
  private control(run: Run, type: unknown): boolean {
    if (type === 'ready') {
      this.markReady(run);
      return true;
    }
    if (type !== 'hello') return false;
    const isNext = nextRun(this.lifecycle) === run;
    answerHello(
      run,
      this.identity,
      {
        isLive: () => holdsRun(this.lifecycle, run) || nextRun(this.lifecycle) === run,
        report: (error) => this.report(error),
      },
      {
        // A successor is the next incarnation: the count it will have once it took over.
        restarts: this.restarts + (isNext ? 1 : 0),
        ...(this.spec.cpu === undefined ? {} : { cpu: this.spec.cpu }),
      },
    );
    return true;
  }

  private markReady(run: Run): void {
    const before = this.lifecycle;
    // A reload's successor: the reload decides when it takes over.
    if (nextRun(before) === run) {
      this.onSuccessorReady?.(run);
      return;
    }
    // Refused for a stale run or one that already said so.
    if (this.apply({ type: 'ready', run }) === before) return;
    this.emit('ready');
    // A no-op after the first run that got ready.
    this.resolveReady();
  }

  private afterExit(run: Run, info: ExitInfo): void {
    const link = run.link;
    if (link === undefined || link.isClosed) {
      this.endRun(run, info);
      return;
    }
    // The child's last lines may still sit in the pipe: read them before the exit is told.
    const timer = setTimeout(() => link.destroy(), EXIT_DRAIN_MS);
    link.onClose(() => {
      clearTimeout(timer);
      this.endRun(run, info);
    });
  }

  private startFailed(error: unknown): void {
    this.report(this.notStarted(String(error), error));
    this.decide(undefined, { code: null, signal: null }, 0);
  }

  private endRun(run: Run, info: ExitInfo, spawnError?: Error): void {
    const ending = this.lifecycle;
    if (!holdsRun(ending, run)) return;
    const reports: ClustrError[] = [];
    if (info.code === EXIT_BAD_HANDSHAKE && !isRunReady(ending) && !this.isHandshakeReported) {
      this.isHandshakeReported = true;
      reports.push(slotErrors.refusedHandshake(this.workerId, this.spec.file, info));
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
    const before = this.lifecycle;
    // A start that threw may be reported after stop() already ended the slot.
    if (!holdsRun(before, run)) return;
    this.lastExit = info;
    // The run is over before anything about its end is told, so a listener never sees it live.
    const after = this.apply({
      type: 'ended',
      run,
      leadsTo: before.kind === 'stopping' ? { kind: 'stopped' } : this.outcome(info, uptimeMs),
    });
    if (before.kind === 'stopping') clearTimeout(before.killTimer);
    run?.link?.destroy();
    for (const error of reports) this.report(error);
    this.emit('exit', info);
    if (after.kind !== 'restarting') {
      if (isFinal(after)) this.finish(after.kind, info);
      return;
    }
    // A listener may have stopped the slot: then no restart follows, and none is told.
    if (this.lifecycle === after) this.emit('restart', after.restart);
  }

  /** What the restart policy makes of a run that ended while no stop was asked for. */
  private outcome(info: ExitInfo, uptimeMs: number): RunOutcome {
    const decision = this.backoff.decide(info, uptimeMs, performance.now());
    if (decision.kind === 'done') return { kind: 'exited' };
    if (decision.kind === 'gave-up') return { kind: 'gave-up' };
    const timer = setTimeout(() => {
      this.restartCount++;
      this.apply({ type: 'restart' });
      this.start();
    }, decision.delayMs);
    return { kind: 'restarting', timer, restart: { attempt: decision.attempt, delayMs: decision.delayMs } };
  }

  private finish(state: FinalSlotState['kind'], info: ExitInfo): void {
    // A no-op when a run got ready before.
    this.rejectReady(slotErrors.endedBeforeReady(this.workerId, this.spec.file, state, info));
    if (state === 'gave-up') this.emit('gave-up', info);
    this.resolveExited(info);
  }

  private notStarted(reason: string, cause: unknown): ClustrError {
    return slotErrors.notStarted(this.workerId, this.spec.file, reason, cause);
  }

  private report(error: ClustrError): void {
    reportToEmitter(this, error);
  }
}
