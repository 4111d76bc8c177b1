import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ClustrCore, SpawnedWorker } from '../clustr-api.js';
import { childFile } from '../loaders.js';
import { measurement, type RunContext } from '../measurement.js';
import { withTimeout } from '../run-context.js';
import { rssOf, SETTLE_MS, timeRawForks } from './lifecycle.js';

const BUILT_WORKER = childFile('clustr-idle-built.mjs');
const BARE_MJS = childFile('bare-ready.mjs');
const FACADE_DIST = fileURLToPath(new URL('../../../clustr-node/dist/index.js', import.meta.url));

/**
 * A master from the built `clustr-node` with its default IPC transport, so the descriptor its
 * children get names the facade's bundle and they run on plain node — what a user's installed
 * cluster does.
 */
async function builtMaster(context: RunContext) {
  await access(FACADE_DIST).catch(() => {
    throw new Error(`${FACADE_DIST} is missing: run \`pnpm build\` first for the built cases`);
  });
  const { Master } = (await import(pathToFileURL(FACADE_DIST).href)) as Pick<ClustrCore, 'Master'>;
  const master = Master.create({});
  const workers: SpawnedWorker[] = [];
  context.defer(async () => {
    await withTimeout(master.close(), 8000, 'master.close()');
  });
  await context.wait(master.ready(), 'the master to be ready');
  const spawn = (n: number) =>
    workers.push(
      ...master.spawn(
        Array.from({ length: n }, () => ({ file: BUILT_WORKER, execArgv: [], restart: 'never' as const })),
      ),
    );
  return { workers, spawn };
}

/** Spawn-to-ready and idle memory as users run them: built packages, plain node, no loader. */
export const builtMeasurements = [
  measurement({
    id: 'spawn.clustr-built',
    caseName: 'spawn 8 until ready (built, plain node)',
    label: 'clustr (dist)',
    family: 'clustr',
    metrics: { ms: 'ms' },
    needsRedis: false,
    async run(context) {
      const { workers, spawn } = await builtMaster(context);
      const started = performance.now();
      spawn(context.counts.spawnWorkers);
      await context.wait(Promise.all(workers.map((w) => w.ready)), `${workers.length} workers to be ready`);
      return { ms: performance.now() - started };
    },
  }),
  measurement({
    id: 'spawn.raw-fork-plain',
    caseName: 'spawn 8 until ready (built, plain node)',
    label: 'raw fork (plain node)',
    family: 'baseline',
    metrics: { ms: 'ms' },
    needsRedis: false,
    run: (context) => timeRawForks(context, BARE_MJS, []),
  }),
  measurement({
    id: 'memory.clustr-built',
    caseName: 'idle worker RSS',
    label: 'clustr (dist, plain node)',
    family: 'clustr',
    metrics: { rss: 'MB' },
    needsRedis: false,
    async run(context) {
      const { workers, spawn } = await builtMaster(context);
      spawn(1);
      await context.wait(Promise.all(workers.map((w) => w.ready)), 'the worker to be ready');
      await sleep(SETTLE_MS);
      return { rss: await rssOf(workers[0]?.pid) };
    },
  }),
];
