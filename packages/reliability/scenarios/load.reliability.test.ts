// Scenario 1 — load: many workers publish numbered messages on public, group and private
// channels at once; every receiver checks nothing lost, nothing duplicated, per-sender order.

import type { Transport } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { buildLoadPlan, groupOf, type LoadCounts } from '../src/load-plan.js';
import { publishPlanFromMaster } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { checkStreams } from '../src/stream-check.js';
import type { StreamSummary } from '../src/stream-recorder.js';

// 100,000 expected deliveries on each transport (public counts once per receiver, the sender included).
const IPC_COUNTS: LoadCounts = {
  workers: 32,
  groupSize: 4,
  publicPerWorker: 40,
  groupPerWorker: 100,
  privatePerWorker: 1000,
  masterPerWorker: 240,
  masterPrivatePerWorker: 99,
  masterPublic: 64,
};
const REDIS_COUNTS: LoadCounts = {
  workers: 16,
  groupSize: 4,
  publicPerWorker: 80,
  groupPerWorker: 200,
  privatePerWorker: 3500,
  masterPerWorker: 235,
  masterPrivatePerWorker: 253,
  masterPublic: 96,
};

async function runLoad(fig: Figure, transport: Transport, counts: LoadCounts): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const groupNames = [...new Set(Array.from({ length: counts.workers }, (_, i) => groupOf(i, counts)))];
  const spawnStart = performance.now();
  const spawned = await Promise.all(groupNames.map((group) => cluster.spawn(group, counts.groupSize)));
  const handles = spawned.flat();
  const spawnMs = performance.now() - spawnStart;
  const ids = handles.map((h) => h.workerId);
  const plan = buildLoadPlan(ids, counts, 'load');

  const start = performance.now();
  const finsOf = (receiver: string) => plan.expectations.filter((e) => e.receiver === receiver).length;
  await Promise.all([
    ...handles.map((handle, i) =>
      cluster.command(
        handle,
        { cmd: 'publish-plan', stream: 'load', plan: plan.workerPlans[i]!, perTurn: 250 },
        60_000,
      ),
    ),
    publishPlanFromMaster(cluster.master, 'load', plan.masterPlan),
  ]);
  const summaries = await Promise.all(
    handles.map((handle) =>
      cluster.command<SummaryResult>(
        handle,
        { cmd: 'summary', fins: finsOf(handle.workerId), timeoutMs: 60_000 },
        70_000,
      ),
    ),
  );
  await cluster
    .until(
      () => (cluster.recorder.fins >= finsOf('master') ? true : undefined),
      'every fin marker at the master',
      60_000,
    )
    .catch(() => undefined);
  const elapsedS = (performance.now() - start) / 1000;

  const received = new Map<string, StreamSummary[]>(ids.map((id, i) => [id, summaries[i]!.streams]));
  received.set('master', cluster.recorder.summary());
  const totals = checkStreams(received, plan.expectations, ['load']);
  const rate = Math.round(totals.delivered / elapsedS);
  fig.set(
    `${totals.delivered}/${totals.expected} delivered, ${totals.dup} dup, ${totals.reordered} reordered, ` +
      `${totals.missing} lost, ${totals.misrouted} misrouted (${counts.workers} workers in ${groupNames.length} groups + master; ` +
      `${plan.published} published; ${elapsedS.toFixed(1)} s, ${rate} deliveries/s; spawn ${(spawnMs / 1000).toFixed(1)} s)`,
    { ...totals, published: plan.published, elapsedS, spawnMs, counts },
  );
  expect(totals.problems).toEqual([]);
  expect(totals.delivered).toBe(totals.expected);
  expect(totals.dup + totals.reordered + totals.missing + totals.misrouted).toBe(0);
  expect(summaries.filter((s) => s.isPartial)).toEqual([]);
  expect(cluster.errors).toEqual([]);
  expect(cluster.workerErrors).toEqual([]);
}

describe('load', () => {
  describe('ipc', () => {
    const fig = new Figure('load ipc');
    printFigureAfterAll(fig);
    it(`${IPC_COUNTS.workers} workers: nothing lost, nothing duplicated, per-sender order kept`, () =>
      measuring(fig, () => runLoad(fig, createIpcTransport(), IPC_COUNTS)));
  });

  describe('redis', () => {
    const fig = new Figure('load redis');
    printFigureAfterAll(fig);
    it(`${REDIS_COUNTS.workers} workers: nothing lost, nothing duplicated, per-sender order kept`, () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        await runLoad(fig, createRedisTransport({ url: redis.url, namespace: 'relload' }), REDIS_COUNTS);
      }));
  });
});
