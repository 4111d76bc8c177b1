import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerHandle } from '@clustr/core';
import type { IpcTransport } from '@clustr/transport-ipc';
import { FIXTURE_EXEC_ARGV, within } from '@clustr-internal/conformance';
import {
  type HostileCommand,
  type HostileReply,
  type HostileResult,
  isHostileReply,
} from './hostile-commands.js';
import type { RelCluster } from './rel-cluster.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The program of the hostile child: raw frames on its link, no Worker. */
export const HOSTILE_CHILD = join(here, '..', 'fixtures', 'hostile-child.ts');

/** A command without its id: the driver numbers it. */
export type HostileBody = HostileCommand extends infer C
  ? C extends unknown
    ? Omit<C, 'id'>
    : never
  : never;

/** How the master refuses one kind of attack: the code it reports, the counter it counts in. */
export type Refusal =
  | { code: 'ERR_CLUSTR_FORBIDDEN'; counter: 'forbidden' }
  | { code: 'ERR_CLUSTR_BAD_FRAME'; counter: 'badFrames' };

/** The trust rules' refusal: what every kind but bad input meets. */
export const FORBIDDEN: Refusal = { code: 'ERR_CLUSTR_FORBIDDEN', counter: 'forbidden' };

/** One kind of attack as the master saw it. */
export interface KindOutcome {
  kind: string;
  /** What the child wrote and saw acked. */
  result: HostileResult;
  /** Refusals the master counted (`stats()`) while this kind ran. */
  refused: number;
  /** Refusals the master reported: 1 per report, a throttle summary's `details.count`. */
  reported: number;
  /** The reports' messages (the first names what was refused; a summary names its first). */
  reports: string[];
}

/**
 * The scenario's hold on the hostile child: spawns it (never restarted), sends it commands as
 * the user's IPC traffic and waits for its answers, and measures each kind of attack by the
 * master's counters and error events.
 */
export class HostileChild {
  readonly #replies = new Map<number, HostileReply>();
  #nextId = 1;

  private constructor(
    private readonly cluster: RelCluster,
    readonly handle: WorkerHandle,
  ) {
    handle.on('message', (message) => {
      if (!isHostileReply(message)) return;
      this.#replies.set(message.id, message);
      cluster.notify();
    });
    handle.on('exit', cluster.notify);
  }

  /** Spawns the child as group `group` and waits until it holds its own channels. */
  static async spawn(cluster: RelCluster, group: string): Promise<HostileChild> {
    const [handle] = cluster.master.spawn([
      { file: HOSTILE_CHILD, args: [group], execArgv: [...FIXTURE_EXEC_ARGV], restart: 'never' },
    ]);
    await within(handle.ready, 'the hostile child to be ready', 60_000);
    return new HostileChild(cluster, handle);
  }

  get workerId(): string {
    return this.handle.workerId;
  }

  /** Sends a command without waiting for its answer; returns its id. */
  send(body: HostileBody): number {
    const id = this.#nextId++;
    this.handle.send({ ...body, id });
    return id;
  }

  /** Sends a command and waits for its answer. */
  async command(body: HostileBody, timeoutMs = 30_000): Promise<HostileResult> {
    const id = this.send(body);
    const reply = await this.cluster.until(
      () => this.#replies.get(id),
      `the hostile child's answer to "${body.cmd}"`,
      timeoutMs,
    );
    this.#replies.delete(id);
    if (reply.error !== undefined || reply.result === undefined)
      throw new Error(`hostile child: ${reply.error ?? 'no result'}`);
    return reply.result;
  }

  /**
   * Runs one kind of attack (`act` resolves when the master has handled all of it: the child's
   * fence), then waits until the master has reported every refusal it counted meanwhile: the
   * throttle reports the first at once and sums the rest up once a second.
   */
  async attack(
    kind: string,
    act: HostileBody | (() => Promise<HostileResult>),
    refusal: Refusal = FORBIDDEN,
  ): Promise<KindOutcome> {
    const stats = () => (this.cluster.transport as IpcTransport).stats();
    const before = stats()[refusal.counter];
    const mark = this.cluster.errors.length;
    const result = typeof act === 'function' ? await act() : await this.command(act);
    const refused = stats()[refusal.counter] - before;
    const mine = () =>
      this.cluster.errors
        .slice(mark)
        .filter((error) => error.code === refusal.code && error.message.includes(this.workerId));
    const count = () =>
      mine().reduce((sum, error) => sum + ((error.details as { count?: number } | undefined)?.count ?? 1), 0);
    await this.cluster.until(
      () => (count() >= refused ? true : undefined),
      `${refused} ${refusal.code} reports of "${kind}" by the master`,
      5_000,
    );
    return { kind, result, refused, reported: count(), reports: mine().map((error) => error.message) };
  }
}
