import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCore, type SpawnedWorker } from '../clustr-api.js';
import { createTransport, workerSpecs } from '../clustr-session.js';
import { forkChild, nextMessage, readyFlag } from '../forked-child.js';
import { childFile, TSX_EXEC_ARGV } from '../loaders.js';
import { measurement, type RunContext } from '../measurement.js';
import { withTimeout } from '../run-context.js';

const BARE_TS = childFile('bare-ready.ts');
const BARE_MJS = childFile('bare-ready.mjs');
/** Time an idle child gets after ready before its RSS is read, the same for every child. */
export const SETTLE_MS = 500;

/** Resident set size of `pid` from /proc, in MiB. */
export async function rssOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) throw new Error('the child has no pid');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) / 1024;
}

/** A master on IPC, ready, whose children are stopped (SIGKILL as a last resort) at the end of the run. */
async function readyMaster(context: RunContext) {
  const { Master } = await loadCore();
  const master = Master.create({ transport: await createTransport(context, 'ipc') });
  const workers: SpawnedWorker[] = [];
  context.defer(async () => {
    try {
      await withTimeout(master.close(), 8000, 'master.close()');
    } finally {
      for (const worker of workers) if (worker.pid !== undefined) killQuietly(worker.pid);
    }
  });
  await context.wait(master.ready(), 'the master to be ready');
  return { master, workers };
}

function killQuietly(pid: number): boolean {
  try {
    return process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
}

/** Forks `spawnWorkers` bare children of `file` and times them until each reports ready. */
export async function timeRawForks(
  context: RunContext,
  file: string,
  execArgv: readonly string[],
): Promise<{ ms: number }> {
  const started = performance.now();
  const children = Array.from({ length: context.counts.spawnWorkers }, () =>
    forkChild(context, file, [], { execArgv, isUnplaced: true }),
  );
  await Promise.all(
    children.map((child) => nextMessage(context, child, readyFlag, 'the child to report ready')),
  );
  return { ms: performance.now() - started };
}

/** Spawn-to-ready and idle memory: clustr workers next to bare `fork` children under the same loader. */
export const lifecycleMeasurements = [
  measurement({
    id: 'spawn.clustr',
    caseName: 'spawn 8 until ready',
    label: 'clustr',
    family: 'clustr',
    metrics: { ms: 'ms' },
    needsRedis: false,
    async run(context) {
      const { master, workers } = await readyMaster(context);
      const started = performance.now();
      workers.push(...master.spawn(workerSpecs(context.counts.spawnWorkers)));
      await context.wait(Promise.all(workers.map((w) => w.ready)), `${workers.length} workers to be ready`);
      return { ms: performance.now() - started };
    },
  }),
  measurement({
    id: 'spawn.raw-fork',
    caseName: 'spawn 8 until ready',
    label: 'raw fork',
    family: 'baseline',
    metrics: { ms: 'ms' },
    needsRedis: false,
    run: (context) => timeRawForks(context, BARE_TS, TSX_EXEC_ARGV),
  }),
  measurement({
    id: 'memory.clustr',
    caseName: 'idle worker RSS',
    label: 'clustr',
    family: 'clustr',
    metrics: { rss: 'MB' },
    needsRedis: false,
    async run(context) {
      const { master, workers } = await readyMaster(context);
      workers.push(...master.spawn(workerSpecs(1)));
      await context.wait(Promise.all(workers.map((w) => w.ready)), 'the worker to be ready');
      context.placement.placeChild(workers[0]?.pid);
      await sleep(SETTLE_MS);
      return { rss: await rssOf(workers[0]?.pid) };
    },
  }),
  ...(
    [
      ['memory.bare-node', 'bare node child (same loader)', BARE_TS, TSX_EXEC_ARGV],
      ['memory.bare-node-no-loader', 'bare node child (no loader)', BARE_MJS, []],
    ] as const
  ).map(([id, label, file, execArgv]) =>
    measurement({
      id,
      caseName: 'idle worker RSS',
      label,
      family: 'baseline',
      metrics: { rss: 'MB' },
      needsRedis: false,
      async run(context) {
        const child = forkChild(context, file, [], { execArgv });
        await nextMessage(context, child, readyFlag, 'the child to report ready');
        await sleep(SETTLE_MS);
        return { rss: await rssOf(child.pid) };
      },
    }),
  ),
];
