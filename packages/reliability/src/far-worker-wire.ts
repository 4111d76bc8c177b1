import type { RedisTransportStats } from '@clustr/transport-redis';

/** What the test sends the far worker (`fixtures/far-worker.ts`), one JSON line each, on stdin. */
export type FarCommand =
  | { cmd: 'stream'; tickMs: number }
  | { cmd: 'snapshot' }
  | { cmd: 'stop' }
  | { cmd: 'close' };

/** What arrived of the master's stream: how many, the last sequence number, how many out of order. */
export interface StreamTally {
  count: number;
  last: number;
  reordered: number;
}

/** What the far worker says, one JSON line each, on stdout. */
export type FarEvent =
  | { event: 'ready'; workerId: string }
  | { event: 'error'; code: string; message: string; reason?: string; role?: string }
  | { event: 'join'; id: string; group: string }
  | { event: 'leave'; id: string; group: string; reason: { kind: string } }
  | {
      event: 'snapshot';
      /** Messages of its stream published so far (its next sequence number). */
      published: number;
      fromMaster: StreamTally;
      stats: RedisTransportStats;
    }
  | { event: 'closed' }
  | { event: 'failed'; message: string };
