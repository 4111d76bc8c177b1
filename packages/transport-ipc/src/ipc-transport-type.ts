import type { Transport } from '@clustr/protocol';
import type { IpcTransportStats } from './ipc-stats.js';

/** The IPC transport: a {@link Transport} that also counts what it moves. */
export interface IpcTransport extends Transport {
  /** True once `close()` was called. */
  readonly isClosed: boolean;
  /**
   * Counters per link (frames and bytes sent and received, writes, bad frames, drops, queue)
   * and totals: a snapshot, for monitoring and for tests that prove where frames went.
   */
  stats(): IpcTransportStats;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}
