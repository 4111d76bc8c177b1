import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { MemberStats } from './presence-types.js';

/** What a process counts of its own traffic (the core counts; the transport may add). */
export interface TrafficCounters {
  messagesOut: number;
  messagesIn: number;
  bytesOut: number;
  errors: number;
}

/** Fresh zeroed counters. */
export function createTrafficCounters(): TrafficCounters {
  return { messagesOut: 0, messagesIn: 0, bytesOut: 0, errors: 0 };
}

/** What a transport's `stats()` may tell, read by duck typing (each transport has its own shape). */
interface TransportFigures {
  bytesIn: number;
  queuedBytes: number;
  /** A transport's `missed` (messages sent here that never arrived), when it counts them. */
  messagesLost: number | undefined;
}

/** Sums the figures presence reports from a transport's `stats()`, whatever its shape. */
export function transportFigures(stats: unknown): TransportFigures {
  const figures: TransportFigures = { bytesIn: 0, queuedBytes: 0, messagesLost: undefined };
  if (typeof stats !== 'object' || stats === null) return figures;
  const links: unknown[] = [];
  const { parent, children, queuedBytes, bytesReceived, missed } = stats as Record<string, unknown>;
  if (typeof missed === 'number') figures.messagesLost = missed;
  if (typeof queuedBytes === 'number') figures.queuedBytes += queuedBytes;
  if (typeof bytesReceived === 'number') figures.bytesIn += bytesReceived;
  if (parent !== undefined) links.push(parent);
  if (typeof children === 'object' && children !== null) links.push(...Object.values(children));
  for (const link of links) {
    const { queuedBytes: queued, bytesReceived: received } = (link ?? {}) as Record<string, unknown>;
    if (typeof queued === 'number') figures.queuedBytes += queued;
    if (typeof received === 'number') figures.bytesIn += received;
  }
  return figures;
}

/**
 * Samples this process's figures once per heartbeat: RSS, CPU % since the previous sample, the
 * event loop's delay p99 since the previous sample (a histogram Node keeps off the event loop),
 * and the traffic counters.
 */
export class StatsSampler {
  private readonly delay: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(
    private readonly counters: TrafficCounters,
    private readonly transportStats: () => unknown,
  ) {
    this.delay = monitorEventLoopDelay({ resolution: 20 });
    this.delay.enable();
  }

  sample(): MemberStats {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(now - this.lastAt, 1);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const p99 = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0;
    this.delay.reset();
    const { bytesIn, queuedBytes, messagesLost } = transportFigures(this.transportStats());
    return {
      rss: process.memoryUsage.rss(),
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      eventLoopDelayP99Ms: round(p99),
      messagesOut: this.counters.messagesOut,
      messagesIn: this.counters.messagesIn,
      bytesOut: this.counters.bytesOut,
      bytesIn,
      queuedBytes,
      errors: this.counters.errors,
      ...(messagesLost === undefined ? {} : { messagesLost }),
    };
  }

  stop(): void {
    this.delay.disable();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
