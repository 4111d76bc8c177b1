import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { parseBenchOptions } from './bench-options.js';
import { ALL_MEASUREMENTS } from './cases/all-measurements.js';
import { createPlacement } from './placement.js';
import { judgeTargets, renderTable, renderVerdict } from './report.js';
import { collectVersions, describeMachine, writeResults } from './results-file.js';
import { type RedisAvailability, runRounds } from './run-rounds.js';

const options = parseBenchOptions(process.argv.slice(2));
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine();
const versions = collectVersions();
const placement = createPlacement(options.isPinned);
const measurements = ALL_MEASUREMENTS.filter(
  (m) => options.only.length === 0 || options.only.some((s) => m.id.includes(s)),
);

console.log(
  `clustr-node bench · ${options.isQuick ? 'quick smoke run' : 'full run'} · ${options.rounds} round(s) · ${measurements.length} measurements`,
);
console.log(
  `versions: ${Object.entries(versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
console.log(`CPU placement: ${placement.description}`);

// A stray rejection inside one case (e.g. a client destroyed with a command in flight) must not
// end the whole run: it is shown, and the case's own waits decide whether its figure stands.
process.on('unhandledRejection', (reason) => {
  console.error(
    `bench: unhandled rejection (run continues): ${reason instanceof Error ? reason.message : String(reason)}`,
  );
});

let server: RedisServer | undefined;
let redis: RedisAvailability;
const stopServer = () => server?.stop();
process.once('SIGINT', () => void Promise.resolve(stopServer()).finally(() => process.exit(130)));
process.once('SIGTERM', () => void Promise.resolve(stopServer()).finally(() => process.exit(143)));
if (measurements.some((m) => m.needsRedis)) {
  try {
    server = await startRedisServer();
    placement.placeChild(server.pid);
    redis = { url: server.url };
    console.log(`redis-server: ${server.url} (pid ${server.pid}, started for this run)`);
  } catch (error) {
    redis = { error: error instanceof Error ? error.message : String(error) };
    console.log(`redis-server: could not start (${redis.error}); Redis cases will be error rows`);
  }
} else redis = { error: 'not started: no Redis case selected' };

let results: Awaited<ReturnType<typeof runRounds>>;
try {
  results = await runRounds(measurements, options, redis, placement, (line) => console.log(line));
} finally {
  await stopServer();
}

const verdicts = judgeTargets(results);
const lines = verdicts.map((verdict) => renderVerdict(verdict, results));
console.log('');
console.log(renderTable(results, options.rounds));
console.log('');
console.log(`CPU placement: ${placement.description}`);
for (const line of lines) console.log(line);
writeResults({
  startedAt,
  finishedAt: new Date().toISOString(),
  options,
  placement: placement.description,
  versions,
  machineAtStart,
  machineAtEnd: describeMachine(),
  results,
  verdicts,
  lines,
});
console.log(`\nall figures: ${fileURLToPath(options.outFile)}`);
const failed = results.filter((r) => r.errors.length > 0).map((r) => r.measurement.id);
if (failed.length > 0) {
  console.log(`cases with failed rounds: ${failed.join(', ')}`);
  process.exitCode = 1;
}
