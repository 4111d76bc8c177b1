import type { Meta } from '@clustr/protocol';
import type { StreamSummary } from './stream-recorder.js';

/** What the test sends a reliability worker (the user's own IPC traffic, which clustr leaves alone). */
export type WorkerCommand =
  | { cmd: 'publish-plan'; id: number; stream: string; plan: PlanEntry[]; perTurn: number }
  | {
      cmd: 'stream';
      id: number;
      stream: string;
      channels: string[];
      perTick: number;
      tickMs: number;
      bytes?: number;
    }
  | { cmd: 'stop'; id: number }
  | { cmd: 'summary'; id: number; fins: number; timeoutMs: number }
  | { cmd: 'errors'; id: number }
  | { cmd: 'stall'; id: number; releaseFile: string; maxMs: number }
  | { cmd: 'heap'; id: number }
  | { cmd: 'received'; id: number };

/** `count` messages of one stream to one channel. */
export interface PlanEntry {
  channel: string;
  count: number;
}

/** Error counts of a process, by code, with the first few messages of each. */
export interface ErrorTally {
  counts: Record<string, number>;
  /** Messages reported lost (`ERR_CLUSTR_MESSAGES_LOST`), summed per Redis channel. */
  lost: Record<string, number>;
  samples: { code: string; message: string; reason?: string }[];
}

/** What a reliability worker reports upward (user IPC traffic). */
export type WorkerReport =
  | { report: 'ready'; workerId: string; pid: number }
  | { report: 'reply'; workerId: string; id: number; result?: unknown; error?: string }
  | { report: 'error'; workerId: string; code: string; message: string; role?: string; reason?: string }
  | { report: 'kill'; workerId: string; exitCode: number; from: Meta }
  | { report: 'served'; workerId: string; pid: number; seqs: number[] }
  /** The `{ rr }` messages an incarnation got (private and group), told by its shutdown hook or on `received`. */
  | { report: 'received'; workerId: string; pid: number; received: ReloadReceipts };

/** The numbered messages of the reload scenario one incarnation received, by channel kind. */
export interface ReloadReceipts {
  private: number[];
  group: number[];
}

/** The data of a `work` request (answered after `ms`), and its reply. */
export interface WorkRequest {
  seq: number;
  ms: number;
}
export interface WorkReply {
  seq: number;
  by: string;
  pid: number;
}

/** The reply to `summary`. */
export interface SummaryResult {
  fins: number;
  isPartial: boolean;
  streams: StreamSummary[];
}

/** True when a user IPC message is a worker report. */
export function isWorkerReport(value: unknown): value is WorkerReport {
  return (
    typeof value === 'object' && value !== null && typeof (value as { report?: unknown }).report === 'string'
  );
}

/** True when a user IPC message is a worker command. */
export function isWorkerCommand(value: unknown): value is WorkerCommand {
  return typeof value === 'object' && value !== null && typeof (value as { cmd?: unknown }).cmd === 'string';
}

/** What {@link reportsIn} reads of an error. */
interface ErrorLike {
  code: string;
  details?: Readonly<Record<string, unknown>>;
}

/**
 * How many reports one `error` event stands for: transports throttle bad input and refusals per
 * source, and a throttled summary ("N more like this from …") carries its count in `details`.
 */
export function reportsIn(error: ErrorLike): number {
  const count = error.details?.count;
  return typeof count === 'number' && typeof error.details?.source === 'string' ? count : 1;
}

/**
 * Messages the `ERR_CLUSTR_MESSAGES_LOST` reports among `errors` say never arrived, summed per
 * Redis channel (their `details.count`s add up exactly to the receiver's `stats().missed`).
 */
export function lostByChannel(
  errors: readonly ErrorLike[],
  into: Record<string, number> = {},
): Record<string, number> {
  for (const error of errors) {
    if (error.code !== 'ERR_CLUSTR_MESSAGES_LOST') continue;
    const { channel, count } = error.details ?? {};
    if (typeof channel === 'string' && typeof count === 'number')
      into[channel] = (into[channel] ?? 0) + count;
  }
  return into;
}

/** Frames the `error` events of `code` stand for (a throttled summary counts what it sums up). */
export function reportedFrames(errors: readonly ErrorLike[], code: string): number {
  return errors.filter((e) => e.code === code).reduce((n, e) => n + reportsIn(e), 0);
}
