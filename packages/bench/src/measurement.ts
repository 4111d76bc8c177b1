import type { BenchCounts } from './bench-options.js';
import type { Placement } from './placement.js';

/** What one run of a measurement produced, e.g. `{ rate }`, `{ p50, p99 }`, `{ ms }`, `{ rss }`. */
export type Metrics = Record<string, number>;

/** The implementation families a case is measured with. */
export type Family = 'clustr' | 'baseline';

/** What a run of a measurement may use. */
export interface RunContext {
  readonly counts: BenchCounts;
  /** `redis://127.0.0.1:<port>` of the server this bench run started. */
  readonly redisUrl: string;
  /** Unique per run: Redis channel prefix / Moleculer namespace / clustr namespace. */
  readonly namespace: string;
  readonly placement: Placement;
  /** Registers a cleanup; all run (in reverse order) after the measurement, also on error. */
  defer(cleanup: () => unknown): void;
  /** Waits for `promise` until the run's deadline; rejects naming `what` on timeout. */
  wait<T>(promise: Promise<T>, what: string): Promise<T>;
}

/** One implementation of one case (e.g. "ipc one-way" × "raw send"). */
export interface Measurement {
  /** Stable id used in the JSON file, e.g. `ipc.one-way.raw-send`. */
  readonly id: string;
  /** The case it belongs to, e.g. `ipc one-way`. */
  readonly caseName: string;
  /** The implementation, e.g. `clustr`, `raw send`, `moleculer emit`. */
  readonly label: string;
  readonly family: Family;
  /** metric name → unit, e.g. `{ rate: 'msg/s' }` or `{ p50: 'µs', p99: 'µs' }`. */
  readonly metrics: Readonly<Record<string, Unit>>;
  readonly needsRedis: boolean;
  run(context: RunContext): Promise<Metrics>;
}

/** Units the report knows how to print. */
export type Unit = 'msg/s' | 'deliveries/s' | 'req/s' | 'µs' | 'ms' | 'MB' | '%';

/** Declares a measurement. */
export function measurement(spec: Measurement): Measurement {
  return spec;
}
