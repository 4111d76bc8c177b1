import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Duplex, Readable } from 'node:stream';
import { type ChildLink, ClustrError, encodeData, type TransportDescriptor } from '@clustr/protocol';
import { encodeControlFrame, reportToEmitter } from '@clustr/protocol/internal';
import { checkStopOptions } from './check-stop-options.js';
import { ChildLinkImpl } from './child-link.js';
import { DEFAULT_MAX_BUFFERED_FRAMES, DEFAULT_STOP_SIGNAL, EXIT_BAD_HANDSHAKE } from './defaults.js';
import { signalProcessGroup, trackForeignChild } from './foreign-children.js';
import { type ExitInfo, RestartBackoff } from './restart-backoff.js';
import type { NormalizedSpawnSpec } from './spawn-spec.js';
import { type ChildIdentity, startChild } from './start-child.js';
import type { StopOptions, WorkerHandle, WorkerHandleEvents, WorkerState } from './worker-handle.js';

/** How long the last lines of an exited child may take to be read before its pipe is closed. */
const EXIT_DRAIN_MS = 200;

interface Run {
  readonly child: ChildProcess;
  link: ChildLinkImpl | undefined;
  readonly startedAt: number;
  isReady: boolean;
  isOver: boolean;
}

/** The parent's `adopt` hook, called at every start before any frame is delivered. */
export type AdoptHook = (link: ChildLink, handle: WorkerHandle) => void;

/** The {@link WorkerHandle} implementation: runs, supervises and restarts one spawn slot. */
export class WorkerSlot extends EventEmitter<WorkerHandleEvents> implements WorkerHandle {
  readonly ready: Promise<void>;
  readonly exited: Promise<ExitInfo>;
  private currentState: WorkerState = 'starting';
  private run: Run | undefined;
  private restartCount = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<ExitInfo> | undefined;
  private everReady = false;
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
    return this.run?.isOver === false ? this.run.child.pid : undefined;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get state(): WorkerState {
    return this.currentState;
  }
  /** The link of the current run (internal: the transport gets it through the adopt hook). */
  get link(): ChildLinkImpl | undefined {
    return this.run?.isOver === false ? this.run.link : undefined;
  }
  get stdout(): Readable | null {
    return this.run?.child.stdout ?? null;
  }
  get stderr(): Readable | null {
    return this.run?.child.stderr ?? null;
  }

  /** Starts a run (the first, or a restart). */
  start(): void {
    this.currentState = 'starting';
    let child: ChildProcess;
    try {
      child = startChild(this.spec, this.identity);
    } catch (error) {
      process.nextTick(() => this.startFailed(error));
      return;
    }
    const channel = child.stdio[3] as Duplex | null | undefined;
    const socket = child.stdio[4] as Duplex | null | undefined;
    const run: Run = { child, link: undefined, startedAt: performance.now(), isReady: false, isOver: false };
    const limits = { maxLineBytes: this.spec.maxLineBytes, maxBufferedFrames: DEFAULT_MAX_BUFFERED_FRAMES };
    const link = socket
      ? new ChildLinkImpl(this.workerId, child.pid, socket, channel ?? undefined, limits, {
          control: (frame) => this.control(run, frame.type),
          message: (value) => this.emit('message', value),
          unhandledBadInput: (error) => this.report(error),
        })
      : undefined;
    run.link = link;
    this.run = run;
    if (this.spec.command !== undefined) trackForeignChild(child);
    if (link !== undefined) this.adopt?.(link, this);
    child.once('spawn', () => {
      if (child.pid !== undefined) this.emit('spawn', child.pid);
      if (this.spec.readySignal === 'spawn') this.markReady(run);
    });
    child.on('error', (error) => {
      if (child.pid === undefined) this.endRun(run, { code: null, signal: null }, error);
    });
    child.once('exit', (code, signal) => this.afterExit(run, { code, signal }));
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
    if (this.stopping !== undefined) return this.stopping;
    if (this.isFinal()) return this.exited;
    this.stopping = this.exited;
    const run = this.run;
    if (run === undefined || run.isOver) {
      clearTimeout(this.restartTimer);
      this.finish('stopped', this.lastExit ?? { code: null, signal: null });
      return this.stopping;
    }
    this.signal(run, signal);
    this.killTimer = setTimeout(() => this.signal(run, 'SIGKILL'), timeoutMs);
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private lastExit: ExitInfo | undefined;

  private isFinal(): boolean {
    const state = this.currentState;
    return state === 'exited' || state === 'gave-up' || state === 'stopped';
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
    // What the child needs and must not find in its environment: its transport (credentials included).
    const { workerId, parentId, transport } = this.identity;
    const welcome = (descriptor: TransportDescriptor): void => {
      if (run.isOver) return;
      run.link?.write(
        `${encodeControlFrame({ clustr: 1, type: 'welcome', workerId, parentId, transport: descriptor })}\n`,
      );
    };
    if (!(transport instanceof Promise)) welcome(transport);
    else {
      transport.then(welcome, (error: unknown) =>
        this.report(
          new ClustrError(
            'ERR_CLUSTR_NO_TRANSPORT',
            `worker ${workerId} cannot be welcomed: its parent has no transport to hand down`,
            { cause: error },
          ),
        ),
      );
    }
    return true;
  }

  private markReady(run: Run): void {
    if (run !== this.run || run.isReady || run.isOver) return;
    run.isReady = true;
    if (this.currentState === 'starting') this.currentState = 'running';
    this.emit('ready');
    if (!this.everReady) {
      this.everReady = true;
      this.resolveReady();
    }
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
    this.report(
      new ClustrError(
        'ERR_CLUSTR_SPAWN_FAILED',
        `worker ${this.workerId} (${this.spec.file}) could not be started: ${String(error)}`,
        {
          cause: error,
        },
      ),
    );
    this.decide({ code: null, signal: null }, 0);
  }

  private endRun(run: Run, info: ExitInfo, spawnError?: Error): void {
    if (run.isOver) return;
    run.isOver = true;
    if (info.code === EXIT_BAD_HANDSHAKE && !run.isReady && !this.isHandshakeReported) {
      // Once per slot: a restart that refuses again is the same fault.
      this.isHandshakeReported = true;
      this.report(
        new ClustrError(
          'ERR_CLUSTR_SPAWN_FAILED',
          `worker ${this.workerId} (${this.spec.file}) refused its parent's handshake (exit code ${EXIT_BAD_HANDSHAKE}; its stderr says why)`,
          { details: { workerId: this.workerId, ...info } },
        ),
      );
    }
    run.link?.destroy();
    clearTimeout(this.killTimer);
    if (spawnError !== undefined) {
      this.report(
        new ClustrError(
          'ERR_CLUSTR_SPAWN_FAILED',
          `worker ${this.workerId} (${this.spec.file}) could not be started: ${spawnError.message}`,
          { cause: spawnError },
        ),
      );
    }
    this.decide(info, performance.now() - run.startedAt);
  }

  private decide(info: ExitInfo, uptimeMs: number): void {
    this.lastExit = info;
    if (this.stopping !== undefined) {
      this.currentState = 'stopped';
      this.emit('exit', info);
      this.finish('stopped', info);
      return;
    }
    const decision = this.backoff.decide(info, uptimeMs, performance.now());
    if (decision.kind !== 'restart') {
      this.currentState = decision.kind === 'done' ? 'exited' : 'gave-up';
      this.emit('exit', info);
      this.finish(this.currentState, info);
      return;
    }
    this.currentState = 'restarting';
    const timer = setTimeout(() => {
      this.restartCount++;
      this.start();
    }, decision.delayMs);
    this.restartTimer = timer;
    this.emit('exit', info);
    if (this.currentState === 'restarting' && this.restartTimer === timer) {
      this.emit('restart', { attempt: decision.attempt, delayMs: decision.delayMs });
    }
  }

  private finish(state: 'exited' | 'gave-up' | 'stopped', info: ExitInfo): void {
    this.currentState = state;
    if (!this.everReady) {
      const how = info.signal === null ? `exit code ${info.code}` : `signal ${info.signal}`;
      this.rejectReady(
        new ClustrError(
          'ERR_CLUSTR_SPAWN_FAILED',
          `worker ${this.workerId} (${this.spec.file}) ended (${state}, ${how}) before it was ready`,
          { details: { workerId: this.workerId, ...info } },
        ),
      );
    }
    if (state === 'gave-up') this.emit('gave-up', info);
    this.resolveExited(info);
  }

  private report(error: ClustrError): void {
    reportToEmitter(this, error);
  }
}
