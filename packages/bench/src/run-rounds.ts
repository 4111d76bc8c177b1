import { randomBytes } from 'node:crypto';
import type { BenchOptions } from './bench-options.js';
import type { Measurement, Metrics } from './measurement.js';
import type { Placement } from './placement.js';
import { createRunContext, withTimeout } from './run-context.js';

/** Everything one measurement produced over the rounds. */
export interface MeasurementResult {
  readonly measurement: Measurement;
  /** One entry per successful round. */
  readonly samples: Metrics[];
  /** `round N: message` of every failed round. */
  readonly errors: string[];
  /** Cleanup trouble that did not invalidate the figure. */
  readonly warnings: string[];
}

/** Where the shared Redis server is, or why there is none. */
export type RedisAvailability = { url: string } | { error: string };

/** Groups measurements by case, in first-seen order. */
function byCase(measurements: readonly Measurement[]): Measurement[][] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const group = groups.get(m.caseName) ?? [];
    group.push(m);
    groups.set(m.caseName, group);
  }
  return [...groups.values()];
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/**
 * Runs every measurement once per round, case after case; within a case the implementations
 * take turns going first (the order rotates each round), so a slow spell on the shared machine
 * does not always hit the same one. A failing run becomes an error of that measurement; the rest
 * of the run goes on.
 */
export async function runRounds(
  measurements: readonly Measurement[],
  options: BenchOptions,
  redis: RedisAvailability,
  placement: Placement,
  log: (line: string) => void,
): Promise<MeasurementResult[]> {
  const results = new Map<string, MeasurementResult>(
    measurements.map((m) => [m.id, { measurement: m, samples: [], errors: [], warnings: [] }]),
  );
  const groups = byCase(measurements);
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds}`);
    for (const group of groups) {
      const shift = (round - 1) % group.length;
      const ordered = [...group.slice(shift), ...group.slice(0, shift)];
      for (const m of ordered) {
        const result = results.get(m.id) as MeasurementResult;
        const label = `  ${m.caseName} · ${m.label}`;
        if (m.needsRedis && 'error' in redis) {
          result.errors.push(`round ${round}: no Redis server: ${redis.error}`);
          log(`${label}: ERROR no Redis server`);
          continue;
        }
        const context = createRunContext({
          counts: options.counts,
          redisUrl: 'url' in redis ? redis.url : '',
          namespace: `bench-${round}-${randomBytes(4).toString('hex')}`,
          placement,
          timeoutMs: options.timeoutMs,
        });
        try {
          // The outer bound catches a run that never reaches one of its own bounded waits.
          const metrics = await withTimeout(m.run(context), options.timeoutMs + 5000, `${m.id} to finish`);
          result.samples.push(metrics);
          log(
            `${label}: ${Object.entries(metrics)
              .map(([k, v]) => `${k} ${formatPlain(v)}`)
              .join(', ')}`,
          );
        } catch (error) {
          result.errors.push(`round ${round}: ${describeError(error)}`);
          log(`${label}: ERROR ${describeError(error)}`);
        } finally {
          for (const warning of await context.cleanup())
            result.warnings.push(`round ${round}: cleanup: ${warning}`);
        }
      }
    }
  }
  return groups.flat().map((m) => results.get(m.id) as MeasurementResult);
}

function formatPlain(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}
