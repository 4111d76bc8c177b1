// Scenario 12 — rolling reload: a group of 4 pinned workers is reloaded (`master.reload`) while
// the master keeps 20 `work` requests in flight to it and publishes numbered messages to the
// group (deliver: 'all') and to each worker's private channel. Presence is sampled on every
// change and every 5 ms: the group never has fewer than 4 ready members. Every request is
// answered; each new incarnation keeps its worker's pin; every numbered message reaches every
// worker (one incarnation or the other); private ones never reach both on IPC.

import { readFileSync } from 'node:fs';
import type { Master, Transport } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { ReloadReceipts, WorkerReport } from '../src/commands.js';
import { isWorkerReport } from '../src/commands.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { RequestPump } from '../src/request-pump.js';

const WORKERS = 4;
const GROUP = 'rr';
const WINDOW = 20;
const TIMEOUT_MS = 10_000;

/** Ready members of the group, as the master's presence lists them now. */
function readyInGroup(master: Master): number {
  return master.members().filter((m) => m.group === GROUP && m.state === 'ready').length;
}

/** The core a process may run on, from /proc (one core: pinned). */
function allowedCpus(pid: number): string {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

async function runReload(fig: Figure, transport: Transport, isIpc: boolean): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const { master } = cluster;
  master.onJoin(() => cluster.notify());
  // Pinned: half the group on core 0, half on core 1.
  const handles = [
    ...(await cluster.spawn(GROUP, WORKERS / 2, { cpu: 0 })),
    ...(await cluster.spawn(GROUP, WORKERS / 2, { cpu: 1 })),
  ];
  await cluster.until(
    () => (readyInGroup(master) === WORKERS ? true : undefined),
    `the master's presence listing the ${WORKERS} workers ready`,
  );
  const pins = new Map(handles.map((h) => [h.workerId, allowedCpus(h.pid!)]));

  // What retired incarnations report from their shutdown hooks, by pid.
  const receipts = new Map<number, { workerId: string; received: ReloadReceipts }>();
  const onReport = (message: unknown) => {
    if (!isWorkerReport(message)) return;
    const report = message as WorkerReport;
    if (report.report === 'received') receipts.set(report.pid, report);
  };
  for (const handle of handles) handle.on('message', onReport);

  let minReady = WORKERS;
  const sample = () => {
    minReady = Math.min(minReady, readyInGroup(master));
  };
  const offJoin = master.onJoin(sample);
  const offLeave = master.onLeave(sample);
  const sampler = setInterval(sample, 5);

  const pump = new RequestPump(
    master,
    GROUP,
    { window: WINDOW, timeoutMs: TIMEOUT_MS, workMs: () => 1 + Math.floor(Math.random() * 5) },
    cluster.notify,
  );
  let seq = 0;
  const traffic = setInterval(() => {
    for (let i = 0; i < 2; i++) {
      const n = seq++;
      master.publish(GROUP, { rr: n });
      for (const handle of handles) master.publish(handle.workerId, { rr: n });
    }
  }, 2);
  pump.start();
  const before = new Map(handles.map((h) => [h.workerId, h.pid!]));
  const startedAt = performance.now();
  const firstSeq = seq;
  let summary: Awaited<ReturnType<Master['reload']>>;
  try {
    summary = await master.reload({ group: GROUP, readyTimeoutMs: 30_000 });
  } finally {
    clearInterval(traffic);
    pump.stop();
  }
  const reloadMs = performance.now() - startedAt;
  const lastSeq = seq - 1;
  await cluster.until(
    () => (pump.inFlight === 0 ? true : undefined),
    'every request to settle',
    TIMEOUT_MS + 5000,
  );
  clearInterval(sampler);
  offJoin();
  offLeave();
  // What the new incarnations got (the last message reached them: per-sender order holds).
  const live = await Promise.all(
    handles.map(async (h) => ({
      handle: h,
      received: await cluster.command<ReloadReceipts>(h, { cmd: 'received' }),
    })),
  );

  const failed = [...pump.ends.values()].filter((end) => !('reply' in end)).length;
  const answered = pump.ends.size - failed;
  let lost = 0;
  let duplicated = 0;
  let groupLost = 0;
  let groupBoth = 0;
  for (const { handle, received } of live) {
    const old = [...receipts.values()].find((r) => r.workerId === handle.workerId)?.received ?? {
      private: [],
      group: [],
    };
    const count = (lists: number[][]) => {
      const times = new Map<number, number>();
      for (const list of lists) for (const n of new Set(list)) times.set(n, (times.get(n) ?? 0) + 1);
      return times;
    };
    const privates = count([old.private, received.private]);
    const groups = count([old.group, received.group]);
    for (let n = 0; n <= lastSeq; n++) {
      const p = privates.get(n) ?? 0;
      if (p === 0) lost++;
      if (p > 1) duplicated++;
      const g = groups.get(n) ?? 0;
      if (g === 0) groupLost++;
      if (g > 1) groupBoth++;
    }
  }
  const newPins = handles.map((h) => allowedCpus(h.pid!));
  const pinsKept = handles.filter((h, i) => newPins[i] === pins.get(h.workerId)).length;
  const replaced = summary.replaced.filter((r) => r.previousPid === before.get(r.workerId)).length;
  const during = (lastSeq - firstSeq + 1) * WORKERS;

  fig.set(
    `${replaced}/${WORKERS} pinned workers replaced in ${(reloadMs / 1000).toFixed(1)} s (ready p50 ${median(summary.replaced.map((r) => r.readyMs))} ms, retire p50 ${median(summary.replaced.map((r) => r.retireMs))} ms); ` +
      `min ready members ${minReady}/${WORKERS} (presence sampled every 5 ms and on every join/leave); pins kept ${pinsKept}/${WORKERS}; ` +
      `requests: ${pump.started} started, ${answered} answered, ${failed} failed; ` +
      `private messages during the reload ${during}: ${lost} lost, ${duplicated} duplicated; group (deliver: 'all') ${(lastSeq + 1) * WORKERS} to workers: ${groupLost} lost, ${groupBoth} reached both incarnations`,
    {
      reloadMs,
      minReady,
      pinsKept,
      started: pump.started,
      answered,
      failed,
      lost,
      duplicated,
      groupLost,
      groupBoth,
      summary,
    },
  );
  expect(replaced).toBe(WORKERS);
  expect(minReady).toBeGreaterThanOrEqual(WORKERS);
  expect(pinsKept).toBe(WORKERS);
  expect(failed).toBe(0);
  expect(lost).toBe(0);
  expect(groupLost).toBe(0);
  if (isIpc) expect(duplicated).toBe(0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

describe('rolling reload', () => {
  describe('ipc', () => {
    const fig = new Figure('rolling reload ipc');
    printFigureAfterAll(fig);
    it('never below 4 ready members, pins kept, every request answered, private messages handed over', () =>
      measuring(fig, () => runReload(fig, createIpcTransport(), true)));
  });

  describe('redis', () => {
    const fig = new Figure('rolling reload redis');
    printFigureAfterAll(fig);
    it('never below 4 ready members, pins kept, every request answered, nothing lost', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        await runReload(fig, createRedisTransport({ url: redis.url, namespace: 'relrr' }), false);
      }));
  });
});
