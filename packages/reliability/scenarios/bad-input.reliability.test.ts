// Scenario 5 — bad input: 10,000 fuzzed frames (fast-check) through a bash child's IPC fd and
// through a raw Redis client into a live cluster. 0 crashes; each one counted as bad; the
// valid traffic flowing during the attack is all delivered. Mixed in, 2,000 frames near the
// edge of the wire contract, judged by an independent oracle (src/frame-oracle.ts): those it
// accepts must be delivered; those it refuses (bad input, or over IPC a child speaking for
// another process or with a field the wire does not define) dropped, counted and reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transport } from '@clustr/core';
import { createIpcTransport, type IpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport, type RedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { type ErrorTally, reportedFrames, type SummaryResult } from '../src/commands.js';
import { fuzzIpcLines, fuzzPayloads, interleave } from '../src/fuzz-frames.js';
import { MASTER_EPOCH, MasterStream } from '../src/master-streams.js';
import {
  checkOracle,
  type OracleTally,
  oracleChannels,
  oracleEnvelopes,
  oracleLines,
  watchMarkers,
} from '../src/oracle-frames.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { checkStreams, type Expectation } from '../src/stream-check.js';
import type { StreamSummary } from '../src/stream-recorder.js';

const FRAMES = 10_000;
const MAX_BYTES = 64 * 1024;
const BASH_VALID = 100;
const ORACLE = 2_000;
const GARBAGE_WRITER = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'garbage-writer.sh');

/** What one counter saw: bad frames, and (IPC) frames refused by a trust rule. */
interface Counted {
  by: string;
  bad: number;
  forbidden?: number;
}

/** What an attack sent, and what each counter saw. */
interface AttackResult {
  family: Record<string, number>;
  /** What every counter must show. */
  expected: { bad: number; forbidden: number };
  counted: Counted[];
  extraFins: number;
  /** The oracle's cases and what the cluster did with them. */
  oracle: OracleTally;
}

interface Attack {
  /** Runs the attack; resolves when the cluster has taken every fuzzed frame. */
  run(cluster: RelCluster): Promise<AttackResult>;
  /** Expectations the attack adds (valid frames it carried). */
  expectations(cluster: RelCluster): Expectation[];
}

async function runBadInput(fig: Figure, transport: Transport, attack: Attack, seed: number): Promise<void> {
  await using cluster = await RelCluster.start(transport);
  const [w0, w1] = (await cluster.spawn('bi', 2)) as [
    NonNullable<RelCluster['handles'][0]>,
    NonNullable<RelCluster['handles'][0]>,
  ];
  const exits: string[] = [];
  for (const h of [w0, w1]) h.on('exit', (info) => exits.push(`${h.workerId} ${JSON.stringify(info)}`));
  const stream = { cmd: 'stream', stream: 'bi', perTick: 5, tickMs: 10 } as const;
  await cluster.command(w0, { ...stream, channels: ['public', w1.workerId] });
  await cluster.command(w1, { ...stream, channels: ['master'] });
  const masterStream = new MasterStream(cluster.master, 'bi', 'public');
  masterStream.start(5, 10);

  const started = performance.now();
  const { family, expected, counted, extraFins, oracle } = await attack.run(cluster);
  const attackMs = performance.now() - started;

  const [sent0, sent1] = await cluster.commandAll<Record<string, number>>([w0, w1], { cmd: 'stop' });
  const masterSent = masterStream.stop();
  const [s0, s1] = await Promise.all([
    cluster.command<SummaryResult>(w0, { cmd: 'summary', fins: 2 + extraFins, timeoutMs: 30_000 }, 40_000),
    cluster.command<SummaryResult>(w1, { cmd: 'summary', fins: 3 + extraFins, timeoutMs: 30_000 }, 40_000),
  ]);
  const extra = attack.expectations(cluster);
  const masterFins = 3 + extraFins + extra.filter((e) => e.receiver === 'master').length;
  await cluster.until(
    () => (cluster.recorder.fins >= masterFins ? true : undefined),
    'every fin at the master',
  );
  const [a, b] = [w0.workerId, w1.workerId];
  const expectations: Expectation[] = [
    ...[a, b, 'master'].map((receiver) => ({
      receiver,
      sender: a,
      kind: 'public' as const,
      stream: 'bi',
      count: sent0!.public!,
    })),
    ...[a, b, 'master'].map((receiver) => ({
      receiver,
      sender: 'master',
      kind: 'public' as const,
      stream: 'bi',
      epoch: MASTER_EPOCH,
      count: masterSent,
    })),
    { receiver: b, sender: a, kind: 'private', stream: 'bi', count: sent0![b]! },
    { receiver: 'master', sender: b, kind: 'private', stream: 'bi', count: sent1!.master! },
    ...extra,
  ];
  const received = new Map<string, StreamSummary[]>([
    [a, s0!.streams],
    [b, s1!.streams],
    ['master', cluster.recorder.summary()],
  ]);
  const totals = checkStreams(received, expectations);
  const alive = [w0, w1].filter((h) => h.state === 'running').length;
  const families = Object.entries(family)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  fig.set(
    `${FRAMES} fuzzed inputs (seed ${seed}: ${families}) + ${ORACLE} judged by the oracle (${oracle.deliver} valid: ${oracle.delivered} delivered; ${oracle.refuse} bad; ${oracle.forbid} forbidden; ${oracle.ignore} untagged, ignored) = ${expected.bad} bad frames, ${expected.forbidden} forbidden; ` +
      `counted: ${counted.map((c) => `${c.bad}${c.forbidden === undefined ? '' : `/${c.forbidden}`} (${c.by})`).join(', ')}; ` +
      `${exits.length} crashes (${alive}/2 workers + master alive); valid traffic during the attack ` +
      `${totals.delivered}/${totals.expected} delivered, ${totals.dup} dup, ${totals.reordered} reordered (attack took ${Math.round(attackMs)} ms)`,
    { seed, family, expected, counted, exits, totals, oracle },
  );
  expect(oracle.problems, 'what the cluster accepted and refused, against the oracle').toEqual([]);
  expect(oracle.delivered).toBe(oracle.deliver);
  expect(Math.min(oracle.deliver, oracle.refuse), 'the oracle cases hold both verdicts').toBeGreaterThan(0);
  if (expected.forbidden > 0 || counted.some((c) => c.forbidden !== undefined))
    expect(oracle.forbid, 'the oracle cases hold trust refusals').toBeGreaterThan(0);
  for (const c of counted) {
    expect(c.bad, `bad frames counted by ${c.by}`).toBe(expected.bad);
    if (c.forbidden !== undefined)
      expect(c.forbidden, `refusals counted by ${c.by}`).toBe(expected.forbidden);
  }
  expect(exits).toEqual([]);
  expect(totals.problems).toEqual([]);
  expect(totals.delivered).toBe(totals.expected);
}

function ipcAttack(seed: number, workDir: string): Attack {
  let bashId = '';
  return {
    async run(cluster) {
      const { items, byFamily, frames } = fuzzIpcLines(FRAMES, seed, MAX_BYTES);
      // The bash worker's own valid frames (its workerId put in by the script) are the valid traffic;
      // the first line is one of them: with it the script joins as itself, in group "bash".
      const bashFrame = (data: unknown) =>
        `{"clustr":1,"channel":"master","meta":{"workerId":"@ID@","group":"bash"},"data":${JSON.stringify(data)}}`;
      const [first, ...valid] = Array.from({ length: BASH_VALID }, (_, q) =>
        bashFrame({ s: 'bash', e: 0, q }),
      );
      const channels = oracleChannels(seed);
      const cases = oracleLines(ORACLE, seed, MAX_BYTES, channels, [first!]);
      // The master listens on every channel a valid case goes to, and watches what arrives.
      const unusual = channels.filter((c) => c !== 'master' && c !== 'public');
      await Promise.all(unusual.map((channel) => cluster.transport.subscribe(channel)));
      const seen = watchMarkers(cluster.transport);
      const inputs = interleave(
        interleave(
          items.map((item) => item.bytes),
          cases.map((c) => Buffer.from(c.text)),
        ),
        valid.map((line) => Buffer.from(line)),
      );
      const fin = Buffer.from(bashFrame({ s: 'bash', e: 0, fin: BASH_VALID }));
      const lines = [Buffer.from(first!), ...inputs, fin].flatMap((line) => [line, Buffer.from('\n')]);
      const file = join(workDir, 'garbage.lines');
      writeFileSync(file, Buffer.concat(lines));
      const stats = () => (cluster.transport as IpcTransport).stats();
      const before = stats();
      const errorsBefore = cluster.errors.length;
      const [bash] = cluster.master.spawn([
        { file: GARBAGE_WRITER, command: 'bash', args: [file], maxLineBytes: MAX_BYTES, restart: 'never' },
      ]);
      bashId = bash!.workerId;
      const exit = await bash!.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      await cluster.until(
        () =>
          cluster.recorder.summary().some((s) => s.sender === bashId && s.fin !== undefined)
            ? true
            : undefined,
        'the bash worker’s last valid frame at the master',
      );
      const oracle = checkOracle(cases, seen, bashId);
      const bad = stats().badFrames - before.badFrames;
      const forbidden = stats().forbidden - before.forbidden;
      // Reports are throttled per child: the last window's summary comes within its second.
      const events = () => {
        const errors = cluster.errors.slice(errorsBefore);
        return {
          bad: reportedFrames(errors, 'ERR_CLUSTR_BAD_FRAME'),
          forbidden: reportedFrames(errors, 'ERR_CLUSTR_FORBIDDEN'),
        };
      };
      await cluster.until(
        () => (events().bad >= bad && events().forbidden >= forbidden ? true : undefined),
        `the throttled reports to sum up the ${bad} bad and ${forbidden} refused frames the master counted`,
        5_000,
      );
      return {
        family: byFamily,
        expected: { bad: frames + oracle.refuse, forbidden: oracle.forbid },
        counted: [
          { by: 'master stats', bad, forbidden },
          { by: 'master error events', ...events() },
        ],
        oracle,
        extraFins: 0,
      };
    },
    expectations: () => [
      { receiver: 'master', sender: bashId, kind: 'private', stream: 'bash', epoch: 0, count: BASH_VALID },
    ],
  };
}

function redisAttack(seed: number, url: string, namespace: string): Attack {
  return {
    async run(cluster) {
      const { items, byFamily, frames } = fuzzPayloads(FRAMES, seed, MAX_BYTES);
      const cases = oracleEnvelopes(ORACLE, seed, MAX_BYTES);
      const seen = watchMarkers(cluster.transport);
      const payloads = interleave(
        items.map((item) => item.bytes),
        cases.map((c) => Buffer.from(c.text)),
      );
      const before = (cluster.transport as RedisTransport).stats().badPayloads;
      const raw = createClient({ url });
      await raw.connect();
      try {
        for (let i = 0; i < payloads.length; i += 500) {
          await Promise.all(
            payloads.slice(i, i + 500).map((payload) => raw.publish(`${namespace}:public`, payload)),
          );
        }
        // A valid fin after the garbage: whoever has it has taken every payload before it.
        await raw.publish(
          `${namespace}:public`,
          JSON.stringify({ meta: { group: 'fuzz' }, data: { s: 'fuzz', e: 0, fin: 0 } }),
        );
      } finally {
        await raw.close();
      }
      await cluster.until(
        () =>
          cluster.recorder.summary().some((s) => s.stream === 'fuzz' && s.fin !== undefined)
            ? true
            : undefined,
        'the fin after the garbage at the master',
      );
      const bad = (cluster.transport as RedisTransport).stats().badPayloads - before;
      // Reports are throttled (one summary per source per second): wait for the summaries.
      await cluster.until(
        () => (reportedFrames(cluster.errors, 'ERR_CLUSTR_BAD_FRAME') >= bad ? true : undefined),
        'the master’s throttled reports to sum up every bad payload',
      );
      let tallies: ErrorTally[] = [];
      // Each ask is a round trip to the workers; their summaries come within a second.
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        tallies = await cluster.commandAll<ErrorTally>(cluster.handles, { cmd: 'errors' });
        if (tallies.every((t) => (t.counts.ERR_CLUSTR_BAD_FRAME ?? 0) >= bad)) break;
      }
      const oracle = checkOracle(cases, seen);
      return {
        family: byFamily,
        expected: { bad: frames + oracle.refuse, forbidden: 0 },
        counted: [
          { by: 'master stats', bad },
          { by: 'master error events', bad: reportedFrames(cluster.errors, 'ERR_CLUSTR_BAD_FRAME') },
          ...tallies.map((t, i) => ({
            by: `worker ${i + 1} error events`,
            bad: t.counts.ERR_CLUSTR_BAD_FRAME ?? 0,
          })),
        ],
        oracle,
        extraFins: 1,
      };
    },
    expectations: () => [],
  };
}

describe('bad input', () => {
  // REL_SEED=<seed> replays a run's fuzzing: its figure lines print the seed.
  const seed = Number(process.env.REL_SEED ?? Date.now() % 1_000_000);

  describe('ipc', () => {
    const fig = new Figure('bad input ipc');
    printFigureAfterAll(fig);
    it('10,000 fuzzed lines on a bash child’s IPC fd: 0 crashes, each counted bad, valid traffic delivered', () =>
      measuring(fig, async () => {
        const workDir = mkdtempSync(join(tmpdir(), 'clustr-bad-input-'));
        try {
          await runBadInput(fig, createIpcTransport(), ipcAttack(seed, workDir), seed);
        } finally {
          rmSync(workDir, { recursive: true, force: true });
        }
      }));
  });

  describe('redis', () => {
    const fig = new Figure('bad input redis');
    printFigureAfterAll(fig);
    it('10,000 fuzzed payloads from a raw client: 0 crashes, each counted bad, valid traffic delivered', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        const namespace = 'relbad';
        const transport = createRedisTransport({ url: redis.url, namespace, maxPayloadBytes: MAX_BYTES });
        await runBadInput(fig, transport, redisAttack(seed, redis.url, namespace), seed);
      }));
  });
});
