// Scenario 2 — worker faults: SIGKILL workers while every process streams to `public`. They
// are restarted per policy; survivors see no gaps from living senders; the master's view of
// its children stays right.

import type { Transport, WorkerHandle } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SummaryResult } from '../src/commands.js';
import { faultRounds } from '../src/fault-rounds.js';
import { MASTER_EPOCH, MasterStream } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { isAlive, procStat } from '../src/proc-tree.js';
import { type CommandBody, RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { checkOrderOnly, checkStreams, type Expectation, emptyTotals } from '../src/stream-check.js';
import type { StreamSummary } from '../src/stream-recorder.js';

const WORKERS = 6;
const PER_TICK = 5;
const TICK_MS = 10;
/** Messages the master must see from a (re)started sender before the next fault. */
const FLOWING = 100;

async function runWorkerFaults(fig: Figure, transport: Transport): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const handles = await cluster.spawn('wf', WORKERS);
  const ids = handles.map((h) => h.workerId);
  const streamCmd: CommandBody = {
    cmd: 'stream',
    stream: 'wf',
    channels: ['public'],
    perTick: PER_TICK,
    tickMs: TICK_MS,
  };
  const flowing = (handle: WorkerHandle, epoch: number) =>
    cluster.until(
      () => (cluster.recorder.countOf(handle.workerId, epoch) >= FLOWING ? true : undefined),
      `${FLOWING} messages at the master from ${handle.workerId} (pid ${epoch})`,
    );
  await cluster.commandAll(handles, streamCmd);
  const masterStream = new MasterStream(cluster.master, 'wf', 'public');
  masterStream.start(PER_TICK, TICK_MS);
  await Promise.all(handles.map((h) => flowing(h, h.pid!)));

  const rounds = faultRounds(handles);
  const victims = rounds.flat();
  const killedPids: number[] = [];
  const killedEpochs = new Map<string, number[]>();
  for (const round of rounds) {
    const runs = round.map((victim) => cluster.readyRuns.get(victim.workerId)!.length);
    for (const victim of round) {
      const pid = victim.pid!;
      killedPids.push(pid);
      killedEpochs.set(victim.workerId, [...(killedEpochs.get(victim.workerId) ?? []), pid]);
      process.kill(pid, 'SIGKILL');
    }
    await Promise.all(
      round.map(async (victim, i) => {
        const newPid = await cluster.readyRun(victim, runs[i]! + 1);
        await cluster.command(victim, streamCmd);
        await flowing(victim, newPid);
      }),
    );
  }

  const sent = await cluster.commandAll<Record<string, number>>(handles, { cmd: 'stop' });
  const masterSent = masterStream.stop();
  const victimIds = new Set(victims.map((v) => v.workerId));
  const survivors = handles.filter((h) => !victimIds.has(h.workerId));
  const summaries = await Promise.all(
    handles.map((h) =>
      cluster.command<SummaryResult>(h, { cmd: 'summary', fins: WORKERS + 1, timeoutMs: 30_000 }, 40_000),
    ),
  );
  await cluster.until(
    () => (cluster.recorder.fins >= WORKERS + 1 ? true : undefined),
    'every fin at the master',
  );

  // Survivors and the master: every stream of a living sender complete, in order, once.
  const receivers = [...survivors.map((h) => h.workerId), 'master'];
  const expectations: Expectation[] = [];
  for (const receiver of receivers) {
    handles.forEach((h, i) => {
      expectations.push({
        receiver,
        sender: h.workerId,
        kind: 'public',
        stream: 'wf',
        epoch: h.pid!,
        count: sent[i]!.public ?? 0,
      });
    });
    expectations.push({
      receiver,
      sender: 'master',
      kind: 'public',
      stream: 'wf',
      epoch: MASTER_EPOCH,
      count: masterSent,
    });
  }
  const received = new Map<string, StreamSummary[]>(ids.map((id, i) => [id, summaries[i]!.streams]));
  received.set('master', cluster.recorder.summary());
  const totals = checkStreams(received, expectations);
  // Streams of killed incarnations (and everything a restarted receiver saw): order and uniqueness only.
  const orderOnly = emptyTotals();
  for (const [receiver, streams] of received) {
    const partial = victimIds.has(receiver)
      ? streams
      : streams.filter((s) => killedEpochs.get(s.sender)?.includes(s.epoch));
    checkOrderOnly(partial, orderOnly, receiver);
  }
  const killedDelivered = [...received.values()]
    .flat()
    .filter((s) => killedEpochs.get(s.sender)?.includes(s.epoch))
    .reduce((sum, s) => sum + s.distinct, 0);

  // The master's view of its children.
  const view = cluster.master.children;
  const viewProblems: string[] = [];
  if (view.length !== WORKERS)
    viewProblems.push(`master.children has ${view.length} entries, not ${WORKERS}`);
  for (const handle of handles) {
    const kills = victims.filter((v) => v === handle).length;
    if (!view.includes(handle)) viewProblems.push(`${handle.workerId} is missing from master.children`);
    if (handle.state !== 'running') viewProblems.push(`${handle.workerId} is ${handle.state}`);
    if (handle.restarts !== kills)
      viewProblems.push(`${handle.workerId} restarts ${handle.restarts} ≠ ${kills} kills`);
    const stat = handle.pid === undefined ? undefined : procStat(handle.pid);
    if (stat?.ppid !== process.pid)
      viewProblems.push(`${handle.workerId} pid ${handle.pid} is not a living child of the master`);
    if (handle.pid !== cluster.readyRuns.get(handle.workerId)?.at(-1))
      viewProblems.push(`${handle.workerId} pid is stale`);
  }
  const lingering = killedPids.filter(isAlive);
  const restarted = handles.reduce((sum, h) => sum + h.restarts, 0);

  fig.set(
    `${victims.length} SIGKILLs in ${rounds.length} rounds on ${victimIds.size} of ${WORKERS} workers, ${restarted}/${victims.length} restarted; ` +
      `survivors+master got ${totals.delivered}/${totals.expected} from living senders, ${totals.missing} gaps, ` +
      `${totals.dup + orderOnly.dup} dup, ${totals.reordered + orderOnly.reordered} reordered ` +
      `(${killedDelivered} msgs of killed incarnations checked for order); master's view: ${view.length}/${WORKERS} children, ` +
      `${viewProblems.length} wrong, ${lingering.length} killed pids alive`,
    { totals, orderOnly, viewProblems, lingering, killedPids },
  );
  expect(totals.problems).toEqual([]);
  expect(orderOnly.problems).toEqual([]);
  expect(totals.delivered).toBe(totals.expected);
  expect(viewProblems).toEqual([]);
  expect(lingering).toEqual([]);
  expect(cluster.workerErrors.filter((e) => e.code !== 'ERR_CLUSTR_TRANSPORT')).toEqual([]);
}

describe('worker faults', () => {
  describe('ipc', () => {
    const fig = new Figure('worker faults ipc');
    printFigureAfterAll(fig);
    it('SIGKILLed workers restart; survivors see no gaps; the master’s view stays right', () =>
      measuring(fig, () => runWorkerFaults(fig, createIpcTransport())));
  });

  describe('redis', () => {
    const fig = new Figure('worker faults redis');
    printFigureAfterAll(fig);
    it('SIGKILLed workers restart; survivors see no gaps; the master’s view stays right', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        await runWorkerFaults(fig, createRedisTransport({ url: redis.url, namespace: 'relwf' }));
      }));
  });
});
