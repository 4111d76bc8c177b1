import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { type ChildLink, type ClustrError, encodeData } from '@clustr/protocol';
import { reportToEmitter } from '@clustr/protocol/internal';
import { answerHello } from './answer-hello.js';
import { checkStopOptions } from './check-stop-options.js';
import type { ChildLinkImpl } from './child-link.js';
import { DEFAULT_STOP_SIGNAL } from './defaults.js';
import { signalProcessGroup } from './foreign-children.js';
import type { ExitInfo } from './restart-backoff.js';
import { endedBeforeReady } from './slot-errors.js';
import { SlotExits } from './slot-exits.js';
import { reloadSlot } from './slot-reload.js';
import { launchRun, type Run } from './slot-run.js';
import {
  type FinalSlotState,
  holdsRun,
  initialSlotState,
  isFinal,
  liveRun,
  nextRun,
  nextSlotState,
  publicState,
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

/** The parent's `adopt` hook, called at every start before any frame is delivered. */
export type AdoptHook = (link: ChildLink, handle: WorkerHandle) => void;

/** The {@link WorkerHandle} implementation: runs, supervises and restarts one spawn slot. */
export class WorkerSlot extends EventEmitter<WorkerHandleEvents> implements WorkerHandle {
  readonly ready: Promise<void>;
  readonly exited: Promise<ExitInfo>;
  private lifecycle: SlotState<Run> = initialSlotState();
  /** The last run whose child was created, live or not: its output may still be read. */
  private latestRun: Run | undefined;
  private restartCount = 0;
  /** Told when a reload's successor says it is ready (it is not the live run yet). */
  private onSuccessorReady: ((run: Run) => void) | undefined;
  private readonly exits: SlotExits;
  private resolveReady!: () => void;
  private rejectReady!: (error: ClustrError) => void;
  private resolveExited!: (info: ExitInfo) => void;

  constructor(
    private readonly spec: NormalizedSpawnSpec,
    private readonly identity: ChildIdentity,
    private readonly adopt: AdoptHook | undefined,
  ) {
    super();
    this.exits = new SlotExits({
      workerId: identity.workerId,
      spec,
      events: this,
      state: () => this.lifecycle,
      apply: (event) => this.apply(event),
      restart: () => {
        this.restartCount++;
        this.apply({ type: 'restart' });
        this.start();
      },
      finish: (state, info) => this.finish(state, info),
    });
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
      startFailed: (error) => this.exits.startFailed(error),
      ended: (run, info, error) => this.exits.ended(run, info, error),
      exited: (run, info) => this.exits.exited(run, info),
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
      this.finish('stopped', this.exits.lastExit ?? { code: null, signal: null });
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

  private finish(state: FinalSlotState['kind'], info: ExitInfo): void {
    // A no-op when a run got ready before.
    this.rejectReady(endedBeforeReady(this.workerId, this.spec.file, state, info));
    if (state === 'gave-up') this.emit('gave-up', info);
    this.resolveExited(info);
  }

  private report(error: ClustrError): void {
    reportToEmitter(this, error);
  }
}
