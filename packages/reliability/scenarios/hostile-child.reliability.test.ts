// Scenario 9 — a hostile child over IPC: a Node child the master spawns that never calls
// Worker.create and writes raw frames on its link (fixtures/hostile-child.ts) while two honest
// workers and the master stream numbered traffic and a third waits to be killed. Every kind it
// tries that breaks a trust rule is refused (accepted 0), counted and reported; its
// subscription flood ends in a disconnect; its kill under its own identity is obeyed and names
// it; heaps stay bounded; the honest traffic arrives whole.
import type { WorkerHandle } from '@clustr/core';
import { DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import type { ExitInfo } from '@clustr/spawner';
import {
  createIpcTransport,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK,
  type IpcTransport,
} from '@clustr/transport-ipc';
import { within } from '@clustr-internal/conformance';
import { describe, expect, it } from 'vitest';
import { BackgroundTraffic } from '../src/background-traffic.js';
import type { SummaryResult } from '../src/commands.js';
import { retainedHeap } from '../src/heap.js';
import { HostileChild, type KindOutcome } from '../src/hostile-child.js';
import type { Identity } from '../src/hostile-commands.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';

const GROUP = 'hc';
const HOSTILE_GROUP = 'hostile';
/** The exit code of the kill the hostile child may send (its own identity): a failure, so restarted. */
const OWN_KILL_CODE = 3;
const SPOOFED_KILL_CODES = [91, 92, 93];
const MIB = 1024 * 1024;
/** Junk inside an otherwise valid frame: half the line limit, so only the field rule can refuse it. */
const JUNK_BYTES = DEFAULT_MAX_FRAME_BYTES / 2;
const LINE_BYTES = 40 * MIB;
/** A sub frame names at most 10,000 channels: 29 frames refused outright, then one past the cap. */
const FLOOD_FRAMES = 29;
const PER_FRAME = 10_000;
/** Invented members whose private and kill channels (2 each) fill one last frame past the cap. */
const OVERFLOW_MEMBERS = PER_FRAME / 2;
/** Retained heap growth allowed over the attack (after a full GC): below the junk field, so one kept frame fails it. */
const MASTER_HEAP_BOUND = 6 * MIB;
const VICTIM_HEAP_BOUND = 4 * MIB;

const mib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / MIB).toFixed(1)} MiB`;

async function runHostileChild(fig: Figure): Promise<void> {
  await using cluster = await RelCluster.start(createIpcTransport());
  const [a, b, k] = (await cluster.spawn(GROUP, 3)) as [WorkerHandle, WorkerHandle, WorkerHandle];
  const exits = new Map<string, ExitInfo[]>();
  for (const h of [a, b, k])
    h.on('exit', (info) => exits.set(h.workerId, [...(exits.get(h.workerId) ?? []), info]));
  const hostile = await HostileChild.spawn(cluster, HOSTILE_GROUP);
  const as = (h: WorkerHandle): Identity => ({ workerId: h.workerId, group: GROUP });
  const [idA, idB, idK] = [a.workerId, b.workerId, k.workerId];

  const traffic = await BackgroundTraffic.start(cluster, a, b, 'hc');
  const heapBefore = [retainedHeap(), ...(await cluster.commandAll<number>([a, b], { cmd: 'heap' }))];

  const kinds: KindOutcome[] = [];
  const attack = async (...args: Parameters<HostileChild['attack']>) => {
    const outcome = await hostile.attack(...args);
    kinds.push(outcome);
    return outcome;
  };
  const metas = [as(a), as(b), as(k)];
  const asSibling = await attack('as a sibling', {
    cmd: 'spoof',
    metas,
    channels: ['public', idB, 'master', GROUP],
    stream: 'spoof-sibling',
  });
  const asMaster = await attack('as the master', {
    cmd: 'spoof',
    metas: [{ group: 'master' }, { workerId: hostile.workerId, group: 'master' }],
    channels: ['public', idA, GROUP],
    stream: 'spoof-master',
  });
  const subSibling = await attack('sub sibling', { cmd: 'subscribe', channels: [idA, idB] });
  const subKill = await attack('sub kill:sibling', {
    cmd: 'subscribe',
    channels: [`kill:${idA}`, `kill:${idB}`],
  });
  const subConfirmation = await attack('sub confirmation', { cmd: 'subscribe', channels: ['confirmation'] });
  const subMaster = await attack('sub master', { cmd: 'subscribe', channels: ['master'] });
  const spoofedKill = await attack('spoofed kill', {
    cmd: 'kill',
    orders: [
      { target: idA, meta: as(b), exitCode: SPOOFED_KILL_CODES[0]! },
      { target: idB, meta: { group: 'master' }, exitCode: SPOOFED_KILL_CODES[1]! },
      { target: idK, meta: as(a), exitCode: SPOOFED_KILL_CODES[2]! },
    ],
  });
  const junk = await attack(`junk field ${JUNK_BYTES / MIB} MiB`, { cmd: 'junk', bytes: JUNK_BYTES });
  const oversized = await attack(
    `line ${LINE_BYTES / MIB} MiB`,
    { cmd: 'oversized', bytes: LINE_BYTES },
    {
      code: 'ERR_CLUSTR_BAD_FRAME',
      counter: 'badFrames',
    },
  );
  // Every worker has what the master forwarded so far (a probe after it came back): k's first
  // run must say what it got before the kill ends it.
  await cluster.probe([a, b, k], 'the spoofed frames');
  const kFirstRun = await cluster.command<SummaryResult>(k, { cmd: 'summary', fins: 0, timeoutMs: 0 });

  // The kill under its own identity is allowed; while k restarts (same workerId), the child
  // tries to take k's workerId for its own subtree and listen on k's channels.
  const claim = await attack('claim a restarting id', async () => {
    await hostile.command({ cmd: 'claim', member: as(k) });
    await hostile.command({ cmd: 'kill', orders: [{ target: idK, exitCode: OWN_KILL_CODE }] });
    await cluster.readyRun(k, 2);
    await cluster.probe([k], `${idK}'s restart`);
    return hostile.command({ cmd: 'stop-claim' });
  });
  const ownKill = cluster.kills.find((r) => r.workerId === idK && r.exitCode === OWN_KILL_CODE);
  const tally = (await hostile.command({ cmd: 'tally' })).received ?? {};

  const flood = await attack(`sub flood ${((FLOOD_FRAMES * PER_FRAME) / 1000).toFixed(0)}k`, {
    cmd: 'flood',
    frames: FLOOD_FRAMES,
    perFrame: PER_FRAME,
  });
  const cut = await attack('past the cap', async () => {
    hostile.send({ cmd: 'overflow', members: OVERFLOW_MEMBERS });
    await within(hostile.handle.exited, 'the master to cut the hostile child off', 30_000);
    return { attempts: 1, acked: 0 };
  });
  const isCutOff =
    hostile.handle.state === 'exited' &&
    !(hostile.workerId in (cluster.transport as IpcTransport).stats().children);
  const heapAfter = [retainedHeap(), ...(await cluster.commandAll<number>([a, b], { cmd: 'heap' }))];
  const heapGrowth = heapAfter.map((after, i) => after - heapBefore[i]!);

  const { totals, received } = await traffic.stop();
  const sK = await cluster.command<SummaryResult>(k, { cmd: 'summary', fins: 2, timeoutMs: 30_000 }, 40_000);
  // Attack streams anywhere (k's two runs included): each message one that got through.
  const everywhere = [...received.values(), kFirstRun.streams, sK.streams].flat();
  const delivered = (stream: string) =>
    everywhere.filter((s) => s.stream === stream).reduce((n, s) => n + s.count, 0);
  const got = (...channels: string[]) => channels.reduce((n, c) => n + (tally[c] ?? 0), 0);
  const spoofedKills =
    cluster.kills.filter((r) => SPOOFED_KILL_CODES.includes(r.exitCode)).length +
    [...exits.values()].flat().filter((e) => SPOOFED_KILL_CODES.includes(e.code ?? -1)).length;
  // Got through, besides acked subscriptions: what arrived anywhere, or (the cap) a link still
  // open. What each kind's reports must name.
  const verdicts: [KindOutcome, number, RegExp][] = [
    [asSibling, delivered('spoof-sibling'), /claimed to come from/],
    [asMaster, delivered('spoof-master'), /claimed to come from \{"group":"master"\}/],
    [subSibling, got(idA, idB), new RegExp(`subscribing to "${idA}" is not allowed`)],
    [subKill, got(`kill:${idA}`, `kill:${idB}`), new RegExp(`subscribing to "kill:${idA}" is not allowed`)],
    [subConfirmation, got('confirmation'), /subscribing to "confirmation" is not allowed/],
    [subMaster, got('master'), /subscribing to "master" is not allowed/],
    [spoofedKill, spoofedKills, /a frame on "kill:[^"]+" claimed to come from/],
    [junk, delivered('junk'), /carried the field "junk"/],
    [oversized, delivered('oversized'), /wrote a line of \d+ bytes/],
    [claim, delivered('claimed') + got(idK, `kill:${idK}`), new RegExp(idK)],
    [flood, 0, /subscribing to "flood-0-0" is not allowed/],
    [cut, isCutOff ? 0 : 1, /passed \d+ subscriptions: disconnected/],
  ];
  const acceptedOf = (o: KindOutcome) =>
    o.result.acked + (verdicts.find(([kind]) => kind === o)?.[1] ?? Number.NaN);
  // Each claim attempt is a join and a sub frame: two refusals.
  const expectedRefusals = (o: KindOutcome) => (o === claim ? 2 * o.result.attempts : o.result.attempts);
  const refusedTotal = kinds.reduce((n, o) => n + o.refused, 0);
  const reportedTotal = kinds.reduce((n, o) => n + o.reported, 0);
  const acceptedTotal = kinds.reduce((n, o) => n + acceptedOf(o), 0);
  const restartedK = k.restarts === 1 && exits.get(idK)?.[0]?.code === OWN_KILL_CODE;

  fig.set(
    `${kinds.length} kinds, ${kinds.reduce((n, o) => n + expectedRefusals(o), 0)} refusable frames from a raw Node child: ` +
      `accepted ${acceptedTotal}, refused ${refusedTotal}, reported ${reportedTotal} ` +
      `(${kinds.map((o) => `${o.kind} ${o.result.attempts}→${acceptedOf(o)}`).join(', ')}); ` +
      (claim.result.acked > 0
        ? `restarting victim's workerId CLAIMED at attempt ${claim.result.attempts} (spoke as it, heard its private channel); `
        : '') +
      `${isCutOff ? 'disconnected' : 'NOT disconnected'} past ${DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK} subscriptions; ` +
      `own-identity kill: from ${ownKill?.from.workerId === hostile.workerId ? 'the hostile child' : JSON.stringify(ownKill?.from)}, ` +
      `victim ${restartedK ? 'restarted' : 'NOT restarted'}; heap master ${mib(heapGrowth[0]!)}, victims ${mib(heapGrowth[1]!)}/${mib(heapGrowth[2]!)} ` +
      `(bounds ${mib(MASTER_HEAP_BOUND)}/${mib(VICTIM_HEAP_BOUND)}); victims' traffic ${totals.delivered}/${totals.expected} delivered, ` +
      `${totals.missing} lost, ${totals.dup} dup, ${totals.reordered} reordered`,
    {
      kinds: kinds.map((o) => ({ ...o, accepted: acceptedOf(o) })),
      tally,
      heapGrowth,
      totals,
      claim: claim.result,
    },
  );
  const problems: string[] = [];
  for (const [o, , names] of verdicts) {
    const accepted = acceptedOf(o);
    if (accepted !== 0 || o.refused !== expectedRefusals(o) || o.reported !== o.refused)
      problems.push(
        `${o.kind}: accepted ${accepted} (${o.result.acked} acked), refused ${o.refused}/${expectedRefusals(o)}, reported ${o.reported}`,
      );
    if (!o.reports.some((r) => names.test(r))) problems.push(`${o.kind}: no report names it (${names})`);
  }
  if (claim.result.acked > 0)
    problems.push(
      `${idK} (restarting) was claimed by the hostile child at attempt ${claim.result.attempts}: ` +
        `its ${claim.result.spoken} frames as ${idK} made ${delivered('claimed')} deliveries, and it received ` +
        `${got(idK, `kill:${idK}`)} message(s) sent to ${idK} after the restart`,
    );
  if (!isCutOff) problems.push('the hostile child is still connected past the subscription cap');
  if (ownKill?.from.workerId !== hostile.workerId || ownKill.from.group !== HOSTILE_GROUP)
    problems.push(`the own-identity kill named ${JSON.stringify(ownKill?.from)} as its sender`);
  if (!restartedK)
    problems.push(`${idK} was not restarted after exit ${OWN_KILL_CODE} (${k.restarts} restarts)`);
  if (a.restarts + b.restarts > 0 || exits.has(idA) || exits.has(idB))
    problems.push('a spoofed kill was obeyed');
  if (heapGrowth[0]! >= MASTER_HEAP_BOUND) problems.push(`master heap ${mib(heapGrowth[0]!)}`);
  if (heapGrowth.slice(1).some((g) => g >= VICTIM_HEAP_BOUND))
    problems.push(`victim heap ${heapGrowth.map(mib)}`);
  expect(problems).toEqual([]);
  expect(totals.problems).toEqual([]);
  expect(totals.delivered).toBe(totals.expected);
}

describe('hostile child', () => {
  describe('ipc', () => {
    const fig = new Figure('hostile child ipc');
    printFigureAfterAll(fig);
    it('a raw Node child spoofing, over-subscribing and flooding: nothing accepted, all reported, cut off at the cap', () =>
      measuring(fig, () => runHostileChild(fig)));
  });
});
