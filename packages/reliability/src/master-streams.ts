import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Master } from '@clustr/core';
import type { PlanEntry } from './commands.js';

/** The master's epoch in stream messages (it is the test process: its pid). */
export const MASTER_EPOCH = process.pid;

/**
 * Publishes numbered streams from the master, as the fixture does: `perTurn` messages per
 * event-loop turn, then one fin marker per channel.
 */
export async function publishPlanFromMaster(
  master: Master,
  stream: string,
  plan: readonly PlanEntry[],
  perTurn = 500,
): Promise<number> {
  let total = 0;
  for (const { channel, count } of plan) {
    for (let q = 0; q < count; q++) {
      master.publish(channel, { s: stream, e: MASTER_EPOCH, q });
      if (++total % perTurn === 0) await nextTurn();
    }
  }
  for (const { channel, count } of plan) master.publish(channel, { s: stream, e: MASTER_EPOCH, fin: count });
  return total;
}

/** A paced stream from the master (for fault scenarios): start it, stop it, read what it sent. */
export class MasterStream {
  #q = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly master: Master,
    private readonly stream: string,
    private readonly channel: string,
  ) {}

  /** Publishes `perTick` messages every `tickMs`. */
  start(perTick: number, tickMs: number, pad?: string): void {
    this.#timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        const q = this.#q++;
        this.master.publish(
          this.channel,
          pad === undefined
            ? { s: this.stream, e: MASTER_EPOCH, q }
            : { s: this.stream, e: MASTER_EPOCH, q, p: pad },
        );
      }
    }, tickMs);
  }

  /** Publishes `count` messages at once. */
  burst(count: number, pad?: string): void {
    for (let i = 0; i < count; i++) {
      const q = this.#q++;
      this.master.publish(
        this.channel,
        pad === undefined
          ? { s: this.stream, e: MASTER_EPOCH, q }
          : { s: this.stream, e: MASTER_EPOCH, q, p: pad },
      );
    }
  }

  /** Stops and publishes the fin marker; returns how many were sent. */
  stop(): number {
    clearInterval(this.#timer);
    this.master.publish(this.channel, { s: this.stream, e: MASTER_EPOCH, fin: this.#q });
    return this.#q;
  }

  /** Messages sent so far. */
  get sent(): number {
    return this.#q;
  }
}
