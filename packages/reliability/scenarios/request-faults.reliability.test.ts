// Scenario 11 — request faults: the master keeps 100 `work` requests in flight to a group of
// workers while SIGKILL hits them (the rounds of scenario 2). Every request resolves or rejects
// (none hangs), none is handled twice or answered twice, and what was in flight to a killed
// worker fails at once (its presence leave), not after the timeout.

import type { Transport, WorkerHandle } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { faultRounds } from '../src/fault-rounds.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { RequestPump } from '../src/request-pump.js';

const WORKERS = 6;
const WINDOW = 100;
const TIMEOUT_MS = 3000;
/** Replies the master must have from a (re)started worker before the next fault. */
const SERVING = 50;

async function runRequestFaults(fig: Figure, transport: Transport): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const { master } = cluster;
  master.onJoin(() => cluster.notify());
  const handles = await cluster.spawn('rq', WORKERS);
  await cluster.until(
    () => (handles.every((h) => master.members().some((m) => m.id === h.workerId)) ? true : undefined),
    `the master to know the ${WORKERS} workers`,
  );
  const pump = new RequestPump(
    master,
    'rq',
    { window: WINDOW, timeoutMs: TIMEOUT_MS, workMs: () => 1 + Math.floor(Math.random() * 10) },
    cluster.notify,
  );
  const serving = (handle: WorkerHandle, pid: number) =>
    cluster.until(
      () => (pump.answeredBy(pid) >= SERVING ? true : undefined),
      `${SERVING} replies from ${handle.workerId} (pid ${pid})`,
    );
  pump.start();
  await Promise.all(handles.map((h) => serving(h, h.pid!)));

  const rounds = faultRounds(handles);
  const kills: { workerId: string; at: number }[] = [];
  const inFlightAtKills: number[] = [];
  for (const round of rounds) {
    const runs = round.map((victim) => cluster.readyRuns.get(victim.workerId)!.length);
    for (const victim of round) {
      inFlightAtKills.push(pump.inFlight);
      kills.push({ workerId: victim.workerId, at: performance.now() });
      process.kill(victim.pid!, 'SIGKILL');
    }
    await Promise.all(
      round.map(async (victim, i) => serving(victim, await cluster.readyRun(victim, runs[i]! + 1))),
    );
  }
  pump.stop();
  const settled = await cluster
    .until(() => (pump.inFlight === 0 ? true : undefined), 'every request to settle', TIMEOUT_MS + 5000)
    .catch(() => false);

  const ends = [...pump.ends.values()];
  const byCode = new Map<string, number>();
  for (const end of ends) {
    const key = 'reply' in end ? 'answered' : end.code;
    byCode.set(key, (byCode.get(key) ?? 0) + 1);
  }
  const hung = pump.started - pump.ends.size;
  const handledTwice = countHandledTwice(cluster);
  const taken = new Set(cluster.served.flatMap((report) => report.seqs.map((seq) => `${report.pid}:${seq}`)));
  const unreported = ends.filter(
    (end) => 'reply' in end && !taken.has(`${end.reply.pid}:${end.reply.seq}`),
  ).length;
  const unexpected = ends.filter(
    (end) => 'code' in end && end.code !== 'ERR_CLUSTR_NO_RESPONDER' && end.code !== 'ERR_CLUSTR_TIMEOUT',
  );
  const victimIds = new Set(kills.map((k) => k.workerId));
  // What was in flight to a killed worker failed when its leave arrived: how long after the kill.
  const delays = ends.flatMap((end) => {
    if (!('code' in end) || end.code !== 'ERR_CLUSTR_NO_RESPONDER' || !victimIds.has(end.responder ?? ''))
      return [];
    const kill = kills.filter((k) => k.workerId === end.responder && k.at <= end.at).at(-1);
    return kill === undefined ? [] : [end.at - kill.at];
  });
  const slowest = Math.round(Math.max(0, ...delays));
  const restarted = handles.reduce((sum, h) => sum + h.restarts, 0);
  const stats = master.requestStats();

  fig.set(
    `${kills.length} SIGKILLs in ${rounds.length} rounds on ${victimIds.size} of ${WORKERS} workers with ${span(inFlightAtKills)} requests in flight at each, ${restarted}/${kills.length} restarted; ` +
      `${pump.started} requests: ${byCode.get('answered') ?? 0} answered, ${byCode.get('ERR_CLUSTR_NO_RESPONDER') ?? 0} NO_RESPONDER (${delays.length} in flight to a killed worker, failed ≤ ${slowest} ms after its kill), ` +
      `${byCode.get('ERR_CLUSTR_TIMEOUT') ?? 0} TIMEOUT, ${unexpected.length} other; ${hung} hung, ${handledTwice} handled twice, ` +
      `${pump.wrong.length} answered twice or wrongly, ${unreported} answers by a worker that never took the request; ${stats.lateReplies} late replies dropped`,
    {
      byCode: Object.fromEntries(byCode),
      hung,
      handledTwice,
      wrong: pump.wrong,
      unexpected: unexpected.slice(0, 5),
      delays,
    },
  );
  expect(settled, 'every request settled within the timeout after the pump stopped').toBe(true);
  expect(hung).toBe(0);
  expect(handledTwice).toBe(0);
  expect(pump.wrong).toEqual([]);
  expect(unreported).toBe(0);
  expect(unexpected).toEqual([]);
  expect(inFlightAtKills.every((n) => n === WINDOW)).toBe(true);
  expect(delays.length).toBeGreaterThan(0);
  expect(slowest).toBeLessThan(TIMEOUT_MS);
  expect(restarted).toBe(kills.length);
}

/** `100`, or `98–100` when the figures differ. */
function span(figures: readonly number[]): string {
  const low = Math.min(...figures);
  const high = Math.max(...figures);
  return low === high ? String(low) : `${low}–${high}`;
}

/** Requests some worker incarnation reported starting more than once. */
function countHandledTwice(cluster: RelCluster): number {
  const seen = new Set<number>();
  let twice = 0;
  for (const report of cluster.served) {
    for (const seq of report.seqs) {
      if (seen.has(seq)) twice++;
      seen.add(seq);
    }
  }
  return twice;
}

describe('request faults', () => {
  describe('ipc', () => {
    const fig = new Figure('request faults ipc');
    printFigureAfterAll(fig);
    it('every request in flight across SIGKILLs settles once; none hangs or is handled twice', () =>
      measuring(fig, () => runRequestFaults(fig, createIpcTransport())));
  });

  describe('redis', () => {
    const fig = new Figure('request faults redis');
    printFigureAfterAll(fig);
    it('every request in flight across SIGKILLs settles once; none hangs or is handled twice', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        await runRequestFaults(fig, createRedisTransport({ url: redis.url, namespace: 'relrq' }));
      }));
  });
});
