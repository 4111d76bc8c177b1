import { latencyMetrics } from './stats.js';

/**
 * Issues `count` calls of `issue(i)` keeping `window` in flight (a new one as each settles,
 * not in batches), after `warmUp` untimed ones the same way. Returns the rate of the timed
 * calls and the p50/p99 of their latencies, in µs: the same driver for every implementation.
 */
export async function keepInFlight(
  count: number,
  window: number,
  warmUp: number,
  issue: (i: number) => Promise<unknown>,
): Promise<{ rate: number; p50: number; p99: number }> {
  const drive = async (total: number, samples?: number[]) => {
    let next = 0;
    const lane = async () => {
      while (next < total) {
        const i = next++;
        const started = process.hrtime.bigint();
        await issue(i);
        if (samples !== undefined) samples[i] = Number(process.hrtime.bigint() - started);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, total) }, lane));
  };
  await drive(warmUp);
  const samples: number[] = [];
  const started = performance.now();
  await drive(count, samples);
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, ...latencyMetrics(samples) };
}

/**
 * Awaits `call(i)` one after the other, `warmUp` untimed then `total` timed; returns the p50/p99
 * of the timed ones, in µs: a round trip at a time, the same for every implementation.
 */
export async function inSequence(
  total: number,
  warmUp: number,
  call: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < warmUp + total; i++) {
    const started = process.hrtime.bigint();
    await call(i);
    if (i >= warmUp) samples.push(Number(process.hrtime.bigint() - started));
  }
  return latencyMetrics(samples);
}
