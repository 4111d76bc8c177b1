import type { LeaveReason, Master } from '@clustr/core';
import { waitFor } from '@clustr-internal/conformance';

/** A presence event the master saw, with when (`performance.now()`). */
export interface Sighting {
  readonly id: string;
  readonly at: number;
}

/**
 * What a master sees of one far worker (`fixtures/far-worker.ts`): joins and leaves, the far
 * worker's stream (`{ q }`, then `{ fin }`), answers to probes, and the master's own errors —
 * with bounded waits on any of it that say what they waited for.
 */
export class WatchedMaster {
  readonly joins: Sighting[] = [];
  readonly leaves: (Sighting & { readonly reason: LeaveReason })[] = [];
  /** Sequence numbers of the far worker's stream, in arrival order. */
  readonly fromFar: number[] = [];
  fin: number | undefined;
  readonly acks = new Set<number>();
  readonly errors: string[] = [];
  readonly #wakers = new Set<() => void>();

  constructor(readonly master: Master) {
    const changed = () => {
      for (const wake of this.#wakers) wake();
    };
    master.on('error', (error) => {
      this.errors.push(error.message);
      changed();
    });
    master.onJoin((member) => {
      this.joins.push({ id: member.id, at: performance.now() });
      changed();
    });
    master.onLeave((member, reason) => {
      this.leaves.push({ id: member.id, reason, at: performance.now() });
      changed();
    });
    master.onPrivate<{ q?: number; fin?: number; probeAck?: number }>(({ data }) => {
      if (typeof data.q === 'number') this.fromFar.push(data.q);
      else if (typeof data.fin === 'number') this.fin = data.fin;
      else if (typeof data.probeAck === 'number') this.acks.add(data.probeAck);
      changed();
    });
  }

  /** Resolves with `check()`'s first defined value, re-checked on every event; bounded. */
  until<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    const subscribe = (wake: () => void) => {
      this.#wakers.add(wake);
      return () => this.#wakers.delete(wake);
    };
    return waitFor(subscribe, check, what, timeoutMs);
  }

  /** Sends probe `n` to `workerId` and waits for its answer; resolves with when it came. */
  async probe(workerId: string, n: number, what: string): Promise<number> {
    this.master.publish(workerId, { probe: n });
    await this.until(() => (this.acks.has(n) ? true : undefined), what);
    return performance.now();
  }
}
