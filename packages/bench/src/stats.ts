/** Median, min and max of one metric over the rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** The value below which `p` percent of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** Median (mean of the two middle values for an even count), min and max. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** p50 and p99 of round-trip samples, in microseconds. */
export function latencyMetrics(samplesNs: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50) / 1000, p99: percentile(sorted, 99) / 1000 };
}
