import type { Unit } from './measurement.js';
import type { MeasurementResult } from './run-rounds.js';
import { type Summary, summarize } from './stats.js';
import { describeBound, isDifference, judge, TARGETS, type Verdict } from './targets.js';

/** A figure with its unit, scaled for reading: `1.23 M msg/s`, `56.2 µs`, `412 ms`, `45.1 MB`. */
export function formatValue(value: number, unit: Unit): string {
  if (unit === 'msg/s' || unit === 'deliveries/s' || unit === 'req/s') {
    return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M ${unit}` : `${(value / 1e3).toFixed(1)} k ${unit}`;
  }
  if (unit === 'ms') return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  return `${value.toFixed(1)} ${unit}`;
}

function formatRange(summary: Summary, unit: Unit): string {
  return `${formatValue(summary.min, unit)} – ${formatValue(summary.max, unit)}`;
}

/** Median/min/max of one metric of one measurement, undefined when no round succeeded. */
export function summaryOf(result: MeasurementResult | undefined, metric: string): Summary | undefined {
  if (result === undefined) return undefined;
  return summarize(
    result.samples.map((sample) => sample[metric]).filter((v): v is number => v !== undefined),
  );
}

/** The table: one row per measurement and metric; failed measurements as ERROR rows. */
export function renderTable(results: readonly MeasurementResult[], rounds: number): string {
  const rows: string[][] = [['case', 'implementation', 'metric', 'median', 'min – max', 'rounds ok']];
  for (const result of results) {
    const { measurement } = result;
    for (const [metric, unit] of Object.entries(measurement.metrics)) {
      const summary = summaryOf(result, metric);
      const ok = `${result.samples.length}/${rounds}`;
      if (summary === undefined) {
        const error = result.errors[0] ?? 'no sample';
        rows.push([measurement.caseName, measurement.label, metric, 'ERROR', truncate(error, 70), ok]);
      } else {
        rows.push([
          measurement.caseName,
          measurement.label,
          metric,
          formatValue(summary.median, unit),
          formatRange(summary, unit),
          ok,
        ]);
      }
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Judges every target on this run's medians. */
export function judgeTargets(results: readonly MeasurementResult[]): Verdict[] {
  const byId = new Map(results.map((r) => [r.measurement.id, r]));
  return TARGETS.filter((t) => byId.has(t.clustr) && byId.has(t.baseline)).map((t) =>
    judge(
      t,
      summaryOf(byId.get(t.clustr), t.metric)?.median,
      summaryOf(byId.get(t.baseline), t.metric)?.median,
    ),
  );
}

/** `ipc one-way: clustr 1.23 M msg/s vs raw send 0.50 M msg/s → 2.46× (target ≥ 1.5×) PASS` */
export function renderVerdict(verdict: Verdict, results: readonly MeasurementResult[]): string {
  const { target } = verdict;
  const clustr = results.find((r) => r.measurement.id === target.clustr)!.measurement;
  const baseline = results.find((r) => r.measurement.id === target.baseline)!.measurement;
  const unit = clustr.metrics[target.metric] as Unit;
  const show = (value: number | undefined) => (value === undefined ? 'ERROR' : formatValue(value, unit));
  const comparison =
    verdict.comparison === undefined
      ? `no ratio (${verdict.missing})`
      : isDifference(target)
        ? `${verdict.comparison >= 0 ? '+' : '−'}${Math.abs(verdict.comparison).toFixed(1)} ${unit}`
        : `${verdict.comparison.toFixed(2)}×`;
  const bound =
    target.kind === 'info' ? '(no target)' : `(target ${describeBound(target, unit)}) ${verdict.status}`;
  return `${target.name}: ${clustr.label} ${show(verdict.clustr)} vs ${baseline.label} ${show(verdict.baseline)} → ${comparison} ${bound}`;
}
