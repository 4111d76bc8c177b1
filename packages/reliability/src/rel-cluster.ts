import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClustrError, Master, type Transport, type WorkerHandle } from '@clustr/core';
import { FIXTURE_EXEC_ARGV, within } from '@clustr-internal/conformance';
import { isWorkerReport, type WorkerCommand, type WorkerReport } from './commands.js';
import { Observer } from './observer.js';
import { StreamRecorder } from './stream-recorder.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The worker program every scenario drives. */
export const REL_WORKER = join(here, '..', 'fixtures', 'rel-worker.ts');

/** A command without its id: the cluster numbers it. */
export type CommandBody = WithoutId<WorkerCommand>;
type WithoutId<C> = C extends unknown ? Omit<C, 'id'> : never;

type ErrorReport = Extract<WorkerReport, { report: 'error' }>;

/**
 * A master in the test process and reliability workers in real child processes, driven by
 * typed commands and observed through their reports and the master's own handlers.
 */
export class RelCluster implements AsyncDisposable {
  readonly master: Master;
  readonly transport: Transport;
  /** What the master's handlers received (public and its private channel). */
  readonly recorder = new StreamRecorder();
  /** Errors the master emitted. */
  readonly errors: ClustrError[] = [];
  /** Errors the workers reported (bad frames are only counted there, see `errors` command). */
  readonly workerErrors: ErrorReport[] = [];
  /** The `work` requests each worker incarnation started, as it reported them. */
  readonly served: Extract<WorkerReport, { report: 'served' }>[] = [];
  /** Kill orders the workers obeyed, with who sent each (reported before they exit). */
  readonly kills: Extract<WorkerReport, { report: 'kill' }>[] = [];
  /** Highest probe number each worker acknowledged. */
  readonly probeAcks = new Map<string, number>();
  /** Ready reports per workerId: one per run (restarts included). */
  readonly readyRuns = new Map<string, number[]>();
  readonly handles: WorkerHandle[] = [];
  readonly #observer = new Observer();
  readonly #replies = new Map<number, Extract<WorkerReport, { report: 'reply' }>>();
  #nextId = 1;
  #probe = 0;

  private constructor(master: Master, transport: Transport) {
    this.master = master;
    this.transport = transport;
    this.recorder.onChange = () => this.notify();
    master.on('error', (error) => {
      this.errors.push(error);
      this.notify();
    });
    master.onPublic((message) => this.recorder.record('public', message));
    master.onPrivate((message) => {
      const ack = (message.data as { probeAck?: unknown } | null)?.probeAck;
      if (typeof ack === 'number' && message.meta.workerId !== undefined) {
        this.probeAcks.set(
          message.meta.workerId,
          Math.max(ack, this.probeAcks.get(message.meta.workerId) ?? -1),
        );
        this.notify();
      } else this.recorder.record('private', message);
    });
  }

  /** Starts a master on `transport` and waits until it is ready. */
  static async start(transport: Transport): Promise<RelCluster> {
    const cluster = new RelCluster(Master.create({ transport }), transport);
    await within(cluster.master.ready(), 'the master to be ready', 30_000);
    return cluster;
  }

  /** Wakes everything waiting in {@link until}. */
  notify = (): void => this.#observer.notify();

  /** Waits until `check` returns a value, re-checking on every observed change. */
  until<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return this.#observer.until(check, what, timeoutMs);
  }

  /** Spawns `count` workers of `group` (extra spec fields merged in) and waits until each is ready. */
  async spawn(group: string, count: number, extra: Record<string, unknown> = {}): Promise<WorkerHandle[]> {
    const specs = Array.from({ length: count }, () => ({
      file: REL_WORKER,
      args: [group],
      execArgv: [...FIXTURE_EXEC_ARGV],
      ...extra,
    }));
    const handles = this.master.spawn(specs);
    for (const handle of handles) {
      this.handles.push(handle);
      handle.on('message', (message) => this.#onReport(message));
    }
    await this.until(
      () => (handles.every((h) => (this.readyRuns.get(h.workerId)?.length ?? 0) > 0) ? true : undefined),
      `${count} "${group}" workers to be ready`,
      90_000,
    );
    return handles;
  }

  /** Waits until `handle` reported ready for its `run`-th run (1 = first start). */
  readyRun(handle: WorkerHandle, run: number, timeoutMs = 30_000): Promise<number> {
    return this.until(
      () => this.readyRuns.get(handle.workerId)?.[run - 1],
      `run ${run} of worker ${handle.workerId} to be ready`,
      timeoutMs,
    );
  }

  /** Sends a command to a worker and waits for its reply; returns the result. */
  async command<T = unknown>(handle: WorkerHandle, body: CommandBody, timeoutMs = 30_000): Promise<T> {
    const id = this.#nextId++;
    handle.send({ ...body, id });
    const reply = await this.until(
      () => this.#replies.get(id),
      `the reply of ${handle.workerId} to "${body.cmd}"`,
      timeoutMs,
    );
    this.#replies.delete(id);
    if (reply.error !== undefined) throw new Error(`worker ${handle.workerId}: ${reply.error}`);
    return reply.result as T;
  }

  /** Sends the same command to many workers at once; results in the same order. */
  commandAll<T = unknown>(
    handles: readonly WorkerHandle[],
    body: CommandBody,
    timeoutMs?: number,
  ): Promise<T[]> {
    return Promise.all(handles.map((handle) => this.command<T>(handle, body, timeoutMs)));
  }

  /**
   * Publishes a probe every 25 ms — on `channel`, or to each target's private channel — until
   * every target answered one sent after this call: the path from the master to each target and
   * back works again, and (by per-sender order) what the master published before has arrived.
   */
  async probe(
    targets: readonly WorkerHandle[],
    what: string,
    channel?: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    const first = this.#probe + 1;
    const send = () => {
      const probe = ++this.#probe;
      if (channel !== undefined) this.master.publish(channel, { probe });
      else for (const target of targets) this.master.publish(target.workerId, { probe });
    };
    send();
    const timer = setInterval(send, 25);
    try {
      await this.until(
        () => (targets.every((t) => (this.probeAcks.get(t.workerId) ?? -1) >= first) ? true : undefined),
        `an answer to a probe from ${targets.length} worker(s) after ${what}`,
        timeoutMs,
      );
    } finally {
      clearInterval(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.master.close();
  }

  #onReport(message: unknown): void {
    if (!isWorkerReport(message)) return;
    if (message.report === 'reply') this.#replies.set(message.id, message);
    else if (message.report === 'ready') {
      const runs = this.readyRuns.get(message.workerId) ?? [];
      runs.push(message.pid);
      this.readyRuns.set(message.workerId, runs);
    } else if (message.report === 'kill') this.kills.push(message);
    else if (message.report === 'served') this.served.push(message);
    // A retired incarnation's receipts: the scenario that asked for them listens to its handles.
    else if (message.report !== 'received') this.workerErrors.push(message);
    this.notify();
  }
}
