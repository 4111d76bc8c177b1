/** Message counts and round counts of one bench run. */
export interface BenchCounts {
  /** Messages for one-way throughput cases (IPC). */
  ipcMessages: number;
  /** Messages per receiver for fan-out cases (IPC). */
  ipcFanOutMessages: number;
  /** Messages for one-way throughput cases (Redis). */
  redisMessages: number;
  /** Messages per receiver for fan-out cases (Redis). */
  redisFanOutMessages: number;
  /** Timed round trips. */
  roundTrips: number;
  /** Requests of the throughput case with 100 in flight (Redis: clustr and Moleculer). */
  requests: number;
  /**
   * Round trips run first and not timed. A fresh worker's first ~3,000 round trips carry V8's
   * tier-up (compile jobs sharing the 2 cores): with a tenth of 3,000 as warm-up, the p99 of both
   * clustr and the raw baseline measured that start-up, not the steady state.
   */
  roundTripWarmUp: number;
  /** Children spawned in the spawn-to-ready case. */
  spawnWorkers: number;
  /** Publishes issued per event-loop turn (clustr) or in flight at most (Redis clients, Moleculer). */
  window: number;
}

/** Parsed command line. */
export interface BenchOptions {
  isQuick: boolean;
  rounds: number;
  /** Pin the bench process to core 0 and every child (and redis-server) to core 1. */
  isPinned: boolean;
  /** Only measurements whose id contains one of these strings. */
  only: string[];
  /** Where the JSON goes. */
  outFile: URL;
  /** Deadline of one measurement run. */
  timeoutMs: number;
  counts: BenchCounts;
}

const FULL: BenchCounts = {
  ipcMessages: 200_000,
  ipcFanOutMessages: 50_000,
  redisMessages: 50_000,
  redisFanOutMessages: 20_000,
  roundTrips: 10_000,
  requests: 20_000,
  roundTripWarmUp: 3_000,
  spawnWorkers: 8,
  window: 100,
};

const QUICK: BenchCounts = {
  ipcMessages: 2_000,
  ipcFanOutMessages: 1_000,
  redisMessages: 1_000,
  redisFanOutMessages: 500,
  roundTrips: 100,
  requests: 500,
  roundTripWarmUp: 10,
  spawnWorkers: 8,
  window: 100,
};

const USAGE = `usage: pnpm bench [--quick] [--rounds N] [--pin] [--only SUBSTRING]... [--window N] [--out FILE]
  --quick      one round, tiny counts: a seconds-long smoke run of every case
  --rounds N   rounds of the interleaved cases (default 5; quick: 1)
  --pin        bench process on core 0, every child and redis-server on core 1 (default: unpinned)
  --only S     only measurements whose id contains S (repeatable), e.g. --only ipc.round-trip
  --window N   publishes per event-loop turn (clustr) / in flight (Redis clients, Moleculer)
  --out FILE   the JSON file (default bench-results.json, quick: bench-results-quick.json)`;

/** Parses `process.argv.slice(2)`; prints usage and exits on `--help` or a bad flag. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let isQuick = false;
  let isPinned = false;
  let rounds: number | undefined;
  let out: string | undefined;
  let windowSize: number | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) fail(`${arg} needs a value`);
      return value;
    };
    if (arg === '--') continue;
    else if (arg === '--quick') isQuick = true;
    else if (arg === '--pin') isPinned = true;
    else if (arg === '--rounds') rounds = Number(next());
    else if (arg === '--only') only.push(next());
    else if (arg === '--out') out = next();
    else if (arg === '--window') windowSize = Number(next());
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  rounds ??= isQuick ? 1 : 5;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100)
    fail(`--rounds ${rounds}: an integer from 1 to 100`);
  const outFile =
    out === undefined
      ? new URL(isQuick ? '../bench-results-quick.json' : '../bench-results.json', import.meta.url)
      : new URL(out, `file://${process.cwd()}/`);
  if (windowSize !== undefined && (!Number.isInteger(windowSize) || windowSize < 1)) {
    fail(`--window ${windowSize}: a positive integer`);
  }
  const counts = { ...(isQuick ? QUICK : FULL), ...(windowSize === undefined ? {} : { window: windowSize }) };
  return { isQuick, rounds, isPinned, only, outFile, timeoutMs: isQuick ? 20_000 : 60_000, counts };
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
