/**
 * How a clustr figure is judged against a baseline figure of the same run (issues 8 and 11):
 * - `at-least`: clustr ÷ baseline ≥ bound (throughput);
 * - `at-most`: clustr ÷ baseline ≤ bound (latency, time);
 * - `below`: clustr ÷ baseline < bound;
 * - `plus-at-most`: clustr − baseline ≤ bound, in the metric's unit (memory);
 * - `info`: printed for context, judged by nothing (a ratio; a difference for memory).
 */
export type TargetKind = 'at-least' | 'at-most' | 'below' | 'plus-at-most' | 'info';

/** One comparison line of the report. */
export interface Target {
  /** The case as printed, e.g. `ipc one-way`. */
  readonly name: string;
  readonly metric: string;
  /** Measurement ids. */
  readonly clustr: string;
  readonly baseline: string;
  readonly kind: TargetKind;
  readonly bound: number;
}

function target(
  name: string,
  metric: string,
  clustr: string,
  baseline: string,
  kind: TargetKind,
  bound = 0,
): Target {
  return { name, metric, clustr, baseline, kind, bound };
}

/** Every comparison the report prints, targets first within each case. */
export const TARGETS: readonly Target[] = [
  // IPC is judged against the channel's practical limit: raw `send` of arrays of 100 (issue 11).
  target('ipc one-way', 'rate', 'ipc.one-way.clustr', 'ipc.one-way.raw-send-batch100', 'at-least', 0.6),
  target('ipc one-way', 'rate', 'ipc.one-way.clustr', 'ipc.one-way.raw-send', 'info'),
  target('ipc fan-out to 4', 'rate', 'ipc.fan-out.clustr', 'ipc.fan-out.raw-send-batch100', 'at-least', 0.6),
  target('ipc fan-out to 4', 'rate', 'ipc.fan-out.clustr', 'ipc.fan-out.raw-send', 'info'),
  target('ipc worker → worker', 'rate', 'ipc.relay.clustr', 'ipc.relay.raw-relay', 'info'),
  target('ipc round trip p50', 'p50', 'ipc.round-trip.clustr', 'ipc.round-trip.raw-send', 'at-most', 1.1),
  target('ipc round trip p99', 'p99', 'ipc.round-trip.clustr', 'ipc.round-trip.raw-send', 'at-most', 1.5),
  // Request/reply costs at most 20% over the raw ping-pong of the same transport (issue 14).
  target(
    'ipc request p50',
    'p50',
    'ipc.round-trip.clustr-request',
    'ipc.round-trip.raw-send',
    'at-most',
    1.2,
  ),
  target('ipc request p99', 'p99', 'ipc.round-trip.clustr-request', 'ipc.round-trip.raw-send', 'info'),
  target('ipc request p50', 'p50', 'ipc.round-trip.clustr-request', 'ipc.round-trip.clustr', 'info'),
  target(
    "ipc group of one: deliver 'one'",
    'rate',
    'ipc.deliver-one.clustr-one',
    'ipc.deliver-one.clustr-all',
    'at-least',
    0.9,
  ),
  // Identity enforcement costs at most 10% of a router's inbound work (the trust issue), measured
  // where it weighs most: one check per message.
  target(
    'ipc inbound, identity checked',
    'rate',
    'ipc.inbound.child-checked',
    'ipc.inbound.parent-trusted',
    'at-least',
    0.9,
  ),
  target(
    'redis one-way, one loop',
    'rate',
    'redis.one-way-loop.clustr',
    'redis.one-way-loop.redis-client',
    'at-least',
    1.5,
  ),
  // One PUBLISH per channel per turn (issue 16): judged against the raw client's windowed PUBLISH
  // loop, which pays the server's per-command cost per message.
  target(
    'redis one-way, windowed',
    'rate',
    'redis.one-way.clustr',
    'redis.one-way.redis-client',
    'at-least',
    3,
  ),
  target('redis one-way', 'rate', 'redis.one-way.clustr', 'redis.one-way.moleculer-emit', 'at-least', 3),
  target('redis one-way', 'rate', 'redis.one-way.clustr', 'redis.one-way.ioredis', 'info'),
  target(
    'redis fan-out to 4',
    'rate',
    'redis.fan-out.clustr',
    'redis.fan-out.moleculer-broadcast',
    'at-least',
    3,
  ),
  target('redis fan-out to 4', 'rate', 'redis.fan-out.clustr', 'redis.fan-out.redis-client', 'at-least', 3),
  target(
    'redis round trip p50',
    'p50',
    'redis.round-trip.clustr',
    'redis.round-trip.redis-client',
    'at-most',
    1.3,
  ),
  target(
    'redis round trip p50',
    'p50',
    'redis.round-trip.clustr',
    'redis.round-trip.moleculer-call',
    'below',
    1,
  ),
  target('redis round trip p50', 'p50', 'redis.round-trip.clustr', 'redis.round-trip.ioredis', 'info'),
  target('redis round trip p99', 'p99', 'redis.round-trip.clustr', 'redis.round-trip.redis-client', 'info'),
  // What signing costs: clustr with a secret next to clustr without, same run (README of transport-redis).
  target('redis one-way, signed', 'rate', 'redis.one-way.clustr-signed', 'redis.one-way.clustr', 'info'),
  target(
    'redis one-way, one loop, signed',
    'rate',
    'redis.one-way-loop.clustr-signed',
    'redis.one-way-loop.clustr',
    'info',
  ),
  target(
    'redis round trip p50, signed',
    'p50',
    'redis.round-trip.clustr-signed',
    'redis.round-trip.clustr',
    'info',
  ),
  target(
    'redis round trip p99, signed',
    'p99',
    'redis.round-trip.clustr-signed',
    'redis.round-trip.clustr',
    'info',
  ),
  target(
    'redis request p50',
    'p50',
    'redis.round-trip.clustr-request',
    'redis.round-trip.redis-client',
    'at-most',
    1.2,
  ),
  target(
    'redis request p99',
    'p99',
    'redis.round-trip.clustr-request',
    'redis.round-trip.redis-client',
    'info',
  ),
  target(
    'redis request p50',
    'p50',
    'redis.round-trip.clustr-request',
    'redis.round-trip.moleculer-call',
    'info',
  ),
  target(
    'redis requests, 100 in flight',
    'rate',
    'redis.requests-100.clustr',
    'redis.requests-100.moleculer-call',
    'at-least',
    3,
  ),
  target(
    'redis requests, 100 in flight, p50',
    'p50',
    'redis.requests-100.clustr',
    'redis.requests-100.moleculer-call',
    'below',
    1,
  ),
  target(
    "redis group of one: deliver 'one'",
    'rate',
    'redis.deliver-one.clustr-one',
    'redis.deliver-one.clustr-all',
    'at-least',
    0.9,
  ),
  target(
    'spawn 8 until ready (built, plain node)',
    'ms',
    'spawn.clustr-built',
    'spawn.raw-fork-plain',
    'at-most',
    1.15,
  ),
  target('spawn 8 until ready (tsx, sources)', 'ms', 'spawn.clustr', 'spawn.raw-fork', 'info'),
  target(
    'idle worker RSS (built, plain node)',
    'rss',
    'memory.clustr-built',
    'memory.bare-node-no-loader',
    'plus-at-most',
    4,
  ),
  target('idle worker RSS (tsx, sources)', 'rss', 'memory.clustr', 'memory.bare-node', 'info'),
  // Presence costs a process of a 64-member cluster under 1% of one core, and its traffic under
  // 1% of the IPC one-way rate (the presence issue).
  target('presence, 64 members', 'ms', 'presence.cpu-64.clustr', 'presence.cpu-64.interval', 'below', 0.01),
  target(
    'presence traffic, 64 members',
    'rate',
    'presence.traffic-64.clustr',
    'ipc.one-way.clustr',
    'below',
    0.01,
  ),
];

/** The verdict of one target, from the medians of this run. */
export interface Verdict {
  readonly target: Target;
  readonly clustr: number | undefined;
  readonly baseline: number | undefined;
  /** clustr ÷ baseline, or clustr − baseline for `plus-at-most`. */
  readonly comparison: number | undefined;
  readonly status: 'PASS' | 'MISS' | 'INFO';
  /** Why there is no comparison. */
  readonly missing?: string;
}

/** Judges `target` on the medians (undefined when that side has no successful round). */
export function judge(target: Target, clustr: number | undefined, baseline: number | undefined): Verdict {
  const isInfo = target.kind === 'info';
  if (clustr === undefined || baseline === undefined) {
    const missing = clustr === undefined ? 'the clustr case failed' : 'the baseline failed';
    return { target, clustr, baseline, comparison: undefined, status: isInfo ? 'INFO' : 'MISS', missing };
  }
  const comparison = isDifference(target) ? clustr - baseline : clustr / baseline;
  const isMet =
    target.kind === 'at-least'
      ? comparison >= target.bound
      : target.kind === 'below'
        ? comparison < target.bound
        : comparison <= target.bound;
  return { target, clustr, baseline, comparison, status: isInfo ? 'INFO' : isMet ? 'PASS' : 'MISS' };
}

/** Memory is compared as a difference (clustr − baseline), everything else as a ratio. */
export function isDifference(target: Target): boolean {
  return target.kind === 'plus-at-most' || target.metric === 'rss';
}

/** `≥ 1.5×`, `≤ +8 MB`, … */
export function describeBound(target: Target, unit: string): string {
  switch (target.kind) {
    case 'at-least':
      return `≥ ${target.bound}×`;
    case 'at-most':
      return `≤ ${target.bound}×`;
    case 'below':
      return `< ${target.bound}×`;
    case 'plus-at-most':
      return `≤ +${target.bound} ${unit}`;
    default:
      return 'no target';
  }
}
