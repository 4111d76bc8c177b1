import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { BenchOptions } from './bench-options.js';
import { summaryOf } from './report.js';
import type { MeasurementResult } from './run-rounds.js';
import type { Verdict } from './targets.js';

function packageVersion(relativePath: string): string {
  try {
    const json = JSON.parse(readFileSync(new URL(relativePath, import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return String(json.version);
  } catch {
    return 'unknown';
  }
}

function redisServerVersion(): string {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The versions of everything measured, read from the installed packages at run time. */
export function collectVersions(): Record<string, string> {
  return {
    node: process.version,
    moleculer: packageVersion('../node_modules/moleculer/package.json'),
    ioredis: packageVersion('../node_modules/ioredis/package.json'),
    '@redis/client': packageVersion('../node_modules/@redis/client/package.json'),
    tsx: packageVersion('../../../node_modules/tsx/package.json'),
    'redis-server': redisServerVersion(),
  };
}

/** The machine the run happened on. */
export function describeMachine(): Record<string, unknown> {
  const list = cpus();
  return {
    platform: `${process.platform} ${process.arch}`,
    cpuModel: list[0]?.model,
    cores: list.length,
    loadavg: loadavg(),
  };
}

/** Everything of the run, for bench-results.json. */
export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  placement: string;
  versions: Record<string, string>;
  machineAtStart: Record<string, unknown>;
  machineAtEnd: Record<string, unknown>;
  results: readonly MeasurementResult[];
  verdicts: readonly Verdict[];
  lines: readonly string[];
}

/** Writes the JSON file: options, versions, placement, every sample, summaries, verdicts. */
export function writeResults(record: RunRecord): void {
  const json = {
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    mode: record.options.isQuick ? 'quick' : 'full',
    rounds: record.options.rounds,
    counts: record.options.counts,
    only: record.options.only,
    placement: record.placement,
    versions: record.versions,
    machineAtStart: record.machineAtStart,
    machineAtEnd: record.machineAtEnd,
    measurements: record.results.map((r) => ({
      id: r.measurement.id,
      case: r.measurement.caseName,
      implementation: r.measurement.label,
      family: r.measurement.family,
      metrics: Object.fromEntries(
        Object.entries(r.measurement.metrics).map(([metric, unit]) => [
          metric,
          { unit, ...summaryOf(r, metric), samples: r.samples.map((s) => s[metric]) },
        ]),
      ),
      errors: r.errors,
      warnings: r.warnings,
    })),
    targets: record.verdicts.map((v) => ({
      case: v.target.name,
      metric: v.target.metric,
      clustr: v.target.clustr,
      baseline: v.target.baseline,
      kind: v.target.kind,
      bound: v.target.bound,
      clustrMedian: v.clustr,
      baselineMedian: v.baseline,
      comparison: v.comparison,
      status: v.status,
      missing: v.missing,
    })),
    lines: record.lines,
  };
  writeFileSync(record.options.outFile, `${JSON.stringify(json, null, 2)}\n`);
}
