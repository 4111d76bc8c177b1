// A work queue on request/reply: the master hands 1,000 jobs to a group of workers pinned to the
// cores, at most 16 in flight, each to one worker of the group chosen round-robin, and collects
// every answer. Halfway it SIGKILLs a worker: what was in flight there fails at once with
// ERR_CLUSTR_NO_RESPONDER (the worker's presence leave, not a timeout) and goes to another
// worker (`retries`: safe here, a job is a pure computation); the killed worker restarts and
// takes jobs again. At three quarters it reloads the group (`master.reload`, what `clustr reload
// jobs` or a SIGHUP to the master does): each worker is replaced by a new incarnation, one at a
// time, while the jobs keep flowing — none fails, the group never has fewer than 4 ready
// members. Exits 0 when all 1,000 answers are right.
import { cpus } from 'node:os';
import Clustr, { isClustrError, type Master, type ReloadSummary } from 'clustr-node';

const JOBS = 1000;
const IN_FLIGHT = 16;
const WORKERS = 4;
const N = 200_000;

const startedAt = Date.now();
const log = (line: string) => console.log(`${String(Date.now() - startedAt).padStart(5)} ms  ${line}`);
const master = Clustr.Master.create();
const cores = cpus().length;
const handles = master.spawn(
  Array.from({ length: WORKERS }, (_, k) => ({ file: './worker.ts', cpu: k % cores })),
);
log(
  `spawned ${WORKERS} workers of group "jobs", pinned to cores ${handles.map((_, k) => k % cores).join(', ')}`,
);

/** Resolves once `count` members of `group` answer `method` (woken by joins, bounded). */
function responders(proc: Master, group: string, method: string, count: number): Promise<void> {
  const ready = () =>
    proc.members().filter((m) => m.group === group && m.methods?.includes(method)).length >= count;
  return new Promise((resolve, reject) => {
    if (ready()) return resolve();
    const timer = setTimeout(() => reject(new Error(`${count} "${group}" responders in 30 s`)), 30_000);
    const off = proc.onJoin(() => {
      if (!ready()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const expected = (n: number) => (n * (n + 1) * (2 * n + 1)) / 6;
const answers = new Map<number, { sum: number; by: string }>();
const failures: string[] = [];
const victim = handles[1]!;

async function run(): Promise<boolean> {
  await responders(master, 'jobs', 'square-sum', WORKERS);
  log(`${WORKERS} workers answer "square-sum"; handing out ${JOBS} jobs, ${IN_FLIGHT} at a time`);
  const started = performance.now();
  let next = 0;
  let killed = false;
  let reload: Promise<ReloadSummary> | undefined;
  const lane = async () => {
    while (next < JOBS) {
      const job = next++;
      const n = N + job;
      if (reload === undefined && answers.size >= (JOBS * 3) / 4) {
        // The killed worker is back first: a reload replaces running workers.
        reload = responders(master, 'jobs', 'square-sum', WORKERS).then(() => {
          log(`three quarters: rolling reload of "jobs" while the jobs keep flowing`);
          return master.reload({ group: 'jobs' });
        });
      }
      if (!killed && answers.size >= JOBS / 2) {
        killed = true;
        log(`halfway: SIGKILL worker ${victim.workerId.slice(0, 8)} (pid ${victim.pid}) with jobs in flight`);
        victim.once('ready', () =>
          log(`worker ${victim.workerId.slice(0, 8)} restarted (pid ${victim.pid})`),
        );
        process.kill(victim.pid!, 'SIGKILL');
      }
      try {
        const answer = await master.request<{ job: number; sum: number; by: string }>(
          'jobs',
          'square-sum',
          { job, n },
          { timeoutMs: 10_000, retries: 3 },
        );
        if (answer.job !== job || answer.sum !== expected(n)) failures.push(`job ${job}: wrong answer`);
        answers.set(job, answer);
      } catch (error) {
        failures.push(`job ${job}: ${isClustrError(error) ? error.code : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const reloaded = await reload;
  log(
    `reloaded ${reloaded?.replaced.length ?? 0} workers in ${Math.round(reloaded?.durationMs ?? 0)} ms: ${(
      reloaded?.replaced ?? []
    )
      .map((r) => `${r.workerId.slice(0, 8)} pid ${r.previousPid} → ${r.pid}`)
      .join(', ')}`,
  );
  const byWorker = new Map<string, number>();
  for (const { by } of answers.values()) byWorker.set(by, (byWorker.get(by) ?? 0) + 1);
  log(
    `${answers.size}/${JOBS} answers in ${Math.round(performance.now() - started)} ms; per worker: ${[
      ...byWorker,
    ]
      .map(([id, count]) => `${id.slice(0, 8)} ${count}`)
      .join(', ')}`,
  );
  // The killed worker is back (a new incarnation, same workerId): it answers again.
  await responders(master, 'jobs', 'square-sum', WORKERS);
  const again = await master.request<{ by: string }>(victim.workerId, 'square-sum', { job: -1, n: 10 });
  log(`the restarted worker ${again.by.slice(0, 8)} answers again (restarts: ${victim.restarts})`);
  // One restart after the kill, one new incarnation from the reload.
  return (
    answers.size === JOBS &&
    failures.length === 0 &&
    reloaded?.replaced.length === WORKERS &&
    victim.restarts === 2
  );
}

const ok = await run().catch((error: unknown) => {
  failures.push(String(error));
  return false;
});
if (!ok) log(`✗ ${failures.slice(0, 5).join('; ')}`);
await master.close();
log(
  ok
    ? `all ${JOBS} jobs answered right, one worker killed halfway, the group reloaded; the cluster is closed`
    : 'failed',
);
process.exitCode = ok ? 0 : 1;
