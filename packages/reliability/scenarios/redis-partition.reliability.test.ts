// Scenario 10 — a silent network partition. A worker on a "far host" (a network namespace made
// by the test, joined to the host by a veth pair of its own) talks to Redis over that link; the
// master runs on the host. Both stream to each other. The link is taken down (the host end: the
// far end loses its carrier, what it sends vanishes, no FIN, no RST) until both sides have
// noticed: the far worker's two connections report the server unreachable (their health check),
// the master sees the far worker leave with `timeout` (presence). Then the link comes up: the
// worker reconnects, rejoins, and traffic flows again. Every message the far worker published
// must reach the master or be counted lost (and reported); what it published while cut off is
// queued and delivered.
import { Master } from '@clustr/core';
import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { FarProcess, type Seen } from '../src/far-process.js';
import type { FarEvent } from '../src/far-worker-wire.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { Figure, measuring } from '../src/report.js';
import { createVethLink, netnsProblem, type VethLink } from '../src/veth-link.js';
import { WatchedMaster } from '../src/watched-master.js';

const NS = 'relpart';
/** Both streams: one message every TICK_MS. */
const TICK_MS = 10;
/** Presence's defaults, which the far worker and the master both run with. */
const PRESENCE_TIMEOUT_MS = 5_000;
const PRESENCE_INTERVAL_MS = 1_000;

const problem = await netnsProblem();
if (problem !== undefined) {
  console.log(
    `redis partition: SKIPPED — this machine does not let the test make a network namespace (${problem})`,
  );
}

type FarError = Seen<Extract<FarEvent, { event: 'error' }>>;
const isUnreachable = (role: string) => (e: FarEvent) =>
  e.event === 'error' && e.reason === 'server-unreachable' && e.role === role;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function runPartition(fig: Figure, link: VethLink, redis: RedisServer): Promise<void> {
  // The master reaches Redis over the loopback: only the far worker is behind the link.
  const view = new WatchedMaster(
    Master.create({ transport: createRedisTransport({ url: redis.url, namespace: NS }) }),
  );
  const { master, joins, leaves, fromFar } = view;
  let masterStream: NodeJS.Timeout | undefined;
  try {
    await master.ready();
    const redisOnLink = redis.url.replace('127.0.0.1', link.hostAddress);
    await using far = await FarProcess.start(link, redisOnLink, NS);
    const farId = far.workerId;
    await view.until(() => joins.find((j) => j.id === farId), 'the master to see the far worker join');
    let toFar = 0;
    masterStream = setInterval(() => master.publish(farId, { m: toFar++ }), TICK_MS);
    far.send({ cmd: 'stream', tickMs: TICK_MS });
    await view.until(() => (fromFar.length >= 50 ? true : undefined), 'the far worker’s stream to flow');
    await view.probe(farId, 0, 'a probe answered before the partition');

    // The partition: until both sides have noticed, and no longer.
    const before = await far.snapshot('a snapshot before the partition');
    await link.down();
    const downAt = performance.now();
    const toFarAtDown = toFar;
    const [pub, sub] = (await Promise.all([
      far.next(isUnreachable('pub'), 'the far publisher to find the server unreachable'),
      far.next(isUnreachable('sub'), 'the far subscriber to find the server unreachable'),
    ])) as [FarError, FarError];
    const masterSaw = await view.until(
      () => leaves.find((l) => l.id === farId),
      'the master to see the far worker leave',
    );
    const farSaw = await far.next(
      (e) => e.event === 'leave' && e.group === 'master',
      'the far worker to see the master leave',
    );
    const cut = await far.snapshot('a snapshot at the end of the partition');
    await link.up();
    const upAt = performance.now();
    const toFarAtUp = toFar;

    // The heal: the far worker rejoins and traffic flows both ways again.
    const rejoin = await view.until(
      () => joins.find((j) => j.id === farId && j.at > upAt),
      'the far worker to rejoin',
    );
    const probedAt = await view.probe(farId, 1, 'a probe answered after the heal');
    const heardBefore = fromFar.length;
    await view.until(
      () => (fromFar.length >= heardBefore + 50 ? true : undefined),
      'the far worker’s stream to flow again',
    );
    clearInterval(masterStream);
    // A fence: per-sender order, so once it is answered the far worker has had all of the
    // master's stream it will ever get.
    await view.probe(farId, 2, 'the fence after the master’s stream');
    const end = await far.snapshot('the far worker’s final snapshot', { cmd: 'stop' });
    await view.until(() => view.fin, 'the far worker’s fin marker');

    const received = new Set(fromFar);
    const missing = end.published - received.size;
    const duplicates = fromFar.length - received.size;
    const reordered = fromFar.filter((q, i) => i > 0 && q < fromFar[i - 1]!).length;
    const intoPartition = cut.published - before.published;
    const lost = end.stats.lost;
    const farErrors = far.events.filter((e): e is FarError => e.event === 'error');
    const blamed = farErrors.filter((e) => /slow consumer|client-output-buffer-limit/.test(e.message));
    const masterCutOff = toFarAtUp - toFarAtDown;
    const masterMissing = toFar - end.fromMaster.count;
    // What the far worker reported lost (ERR_CLUSTR_MESSAGES_LOST) on its private channel: the
    // master's stream and probes to it.
    const reportedToFar = farErrors
      .map((e) => /^(\d+) (?:more )?messages of sender \S+ on redis channel "([^"]+)"/.exec(e.message))
      .filter((m) => m?.[2] === `${NS}:${farId}`)
      .reduce((n, m) => n + Number(m?.[1]), 0);
    const reports = new Map<string, number>();
    for (const e of farErrors) {
      const kind = e.reason ?? (/in flight were lost/.test(e.message) ? 'in-flight loss' : e.message);
      reports.set(kind, (reports.get(kind) ?? 0) + 1);
    }
    const reportList = [...reports].map(([kind, n]) => `${n} ${kind}`).join(', ');
    fig.set(
      `link down ${secs(upAt - downAt)}; far worker found it on pub ${secs(pub.at - downAt)} / sub ${secs(sub.at - downAt)} (server-unreachable; bound: presence timeoutMs ${PRESENCE_TIMEOUT_MS}), the master saw it leave (${masterSaw.reason.kind}) after ${secs(masterSaw.at - downAt)}, it saw the master leave after ${secs(farSaw.at - downAt)}; far worker reported: ${reportList}; far → master: ${intoPartition} published while cut off, ${lost} PUBLISHes reported lost (in flight at detection), ${cut.stats.queued} queued then delivered, ${missing}/${end.published} stream msgs never arrived (${duplicates} dup, ${reordered} reordered); master → far: ${masterCutOff} published while cut off, ${masterMissing}/${toFar} never arrived (from the cut until it resubscribed; the far worker reported ${reportedToFar} lost on its channel, probes included), ${view.errors.length} master reports (all ERR_CLUSTR_MESSAGES_LOST: what the far worker's lost PUBLISHes left out); after the heal: rejoined ${secs(rejoin.at - upAt)}, probe answered ${secs(probedAt - upAt)}; slow consumer blamed ${blamed.length} times`,
      {
        detectPubMs: pub.at - downAt,
        detectSubMs: sub.at - downAt,
        masterLeaveMs: masterSaw.at - downAt,
        farLeaveMs: farSaw.at - downAt,
        partitionMs: upAt - downAt,
        intoPartition,
        lost,
        queued: cut.stats.queued,
        missing,
        masterCutOff,
        masterMissing,
        masterErrors: view.errors,
        farReports: Object.fromEntries(reports),
        rejoinMs: rejoin.at - upAt,
        probeMs: probedAt - upAt,
      },
    );
    // Both sides noticed within the presence timeout, each connection reported once, no slow
    // consumer named; the master saw a timeout (nobody saw the far worker exit).
    expect(pub.at - downAt).toBeLessThan(PRESENCE_TIMEOUT_MS);
    expect(sub.at - downAt).toBeLessThan(PRESENCE_TIMEOUT_MS);
    expect(pub.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(pub.message).toMatch(/no answer to PING .*the server is unreachable/);
    expect(farErrors.filter((e) => e.reason === 'server-unreachable')).toHaveLength(2);
    expect(blamed).toEqual([]);
    expect(masterSaw.reason).toEqual({ kind: 'timeout' });
    expect(masterSaw.at - downAt).toBeLessThan(PRESENCE_TIMEOUT_MS + PRESENCE_INTERVAL_MS + 1_000);
    expect(farSaw.event === 'leave' && farSaw.reason).toEqual({ kind: 'timeout' });
    // Nothing the far worker published vanished unreported: what did not arrive is counted lost.
    expect(missing).toBeLessThanOrEqual(lost);
    expect(duplicates).toBe(0);
    expect(reordered).toBe(0);
    expect(end.fromMaster.reordered).toBe(0);
    expect(end.fromMaster.count).toBeGreaterThan(0);
    // The master's own connections never crossed the link: it has nothing to report but the leave.
    // Only loss reports (ERR_CLUSTR_MESSAGES_LOST): the master's own connections were fine.
    expect(
      view.errors.filter(
        (message) => !/messages of sender \S+ on redis channel .* never arrived/.test(message),
      ),
    ).toEqual([]);
  } finally {
    clearInterval(masterStream);
    await master.close();
  }
}

describe('redis partition', () => {
  const fig = new Figure('redis partition');
  let link: VethLink | undefined;
  let redis: RedisServer | undefined;
  afterAll(async () => {
    await redis?.stop();
    await link?.remove();
  });
  printFigureAfterAll(fig);

  it.skipIf(problem !== undefined)(
    'a far worker cut off silently: both sides notice within the presence timeout, it rejoins after the heal',
    async () => {
      await measuring(fig, async () => {
        link = await createVethLink();
        redis = await startRedisServer({
          args: ['--bind', '127.0.0.1', link.hostAddress, '--protected-mode', 'no'],
        });
        await runPartition(fig, link, redis);
      });
    },
  );
});
