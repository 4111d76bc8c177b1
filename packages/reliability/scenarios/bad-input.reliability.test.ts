// Scenario 5 — bad input: 10,000 fuzzed frames (fast-check) through a bash child's IPC fd and
// through a raw Redis client into a live cluster. 0 crashes; each one counted as bad; the
// valid traffic flowing during the attack is all delivered.
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
import type { ErrorTally, SummaryResult } from '../src/commands.js';
import { fuzzIpcLines, fuzzPayloads } from '../src/fuzz-frames.js';
import { MASTER_EPOCH, MasterStream } from '../src/master-streams.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';
import { checkStreams, type Expectation } from '../src/stream-check.js';
import type { StreamSummary } from '../src/stream-recorder.js';

const FRAMES = 10_000;
const MAX_BYTES = 64 * 1024;
const BASH_VALID = 100;
const GARBAGE_WRITER = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'garbage-writer.sh');
const badCount = (errors: { code: string }[]) =>
  errors.filter((e) => e.code === 'ERR_CLUSTR_BAD_FRAME').length;

/** What an attack sent, and how many bad frames each counter saw. */
interface AttackResult {
  family: Record<string, number>;
  frames: number;
  badCounted: number[];
  countedBy: string[];
  extraFins: number;
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
  const { family, frames, badCounted, countedBy, extraFins } = await attack.run(cluster);
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
    `${FRAMES} fuzzed inputs holding ${frames} bad frames (seed ${seed}: ${families}); counted bad: ${badCounted.map((n, i) => `${n} (${countedBy[i]})`).join(', ')}; ` +
      `${exits.length} crashes (${alive}/2 workers + master alive); valid traffic during the attack ` +
      `${totals.delivered}/${totals.expected} delivered, ${totals.dup} dup, ${totals.reordered} reordered (attack took ${Math.round(attackMs)} ms)`,
    { seed, family, frames, badCounted, exits, totals },
  );
  for (const counted of badCounted) expect(counted).toBe(frames);
  expect(exits).toEqual([]);
  expect(totals.problems).toEqual([]);
  expect(totals.delivered).toBe(totals.expected);
}

function ipcAttack(seed: number, workDir: string): Attack {
  let bashId = '';
  return {
    async run(cluster) {
      const { items, byFamily, frames } = fuzzIpcLines(FRAMES, seed, MAX_BYTES);
      const lines: Buffer[] = [];
      items.forEach((item, i) => {
        lines.push(item.bytes, Buffer.from('\n'));
        if (i % (FRAMES / BASH_VALID) === FRAMES / BASH_VALID - 1) {
          const data = JSON.stringify({ s: 'bash', e: 0, q: Math.floor(i / (FRAMES / BASH_VALID)) });
          lines.push(
            Buffer.from(
              `{"clustr":1,"channel":"master","meta":{"workerId":"@ID@","group":"bash"},"data":${data}}\n`,
            ),
          );
        }
      });
      lines.push(
        Buffer.from(
          `{"clustr":1,"channel":"master","meta":{"workerId":"@ID@","group":"bash"},"data":{"s":"bash","e":0,"fin":${BASH_VALID}}}\n`,
        ),
      );
      const file = join(workDir, 'garbage.lines');
      writeFileSync(file, Buffer.concat(lines));
      const stats = () => (cluster.transport as IpcTransport).stats();
      const before = stats().badFrames;
      const errorsBefore = badCount(cluster.errors);
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
      const counted = stats().badFrames - before;
      const events = badCount(cluster.errors) - errorsBefore;
      return {
        family: byFamily,
        frames,
        badCounted: [counted, events],
        countedBy: ['master stats', 'master error events'],
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
      const before = (cluster.transport as RedisTransport).stats().badPayloads;
      const raw = createClient({ url });
      await raw.connect();
      try {
        for (let i = 0; i < items.length; i += 500) {
          await Promise.all(
            items.slice(i, i + 500).map((item) => raw.publish(`${namespace}:public`, item.bytes)),
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
      const counted = (cluster.transport as RedisTransport).stats().badPayloads - before;
      const tallies = await cluster.commandAll<ErrorTally>(cluster.handles, { cmd: 'errors' });
      const workerCounts = tallies.map((t) => t.counts.ERR_CLUSTR_BAD_FRAME ?? 0);
      return {
        family: byFamily,
        frames,
        badCounted: [counted, badCount(cluster.errors), ...workerCounts],
        countedBy: [
          'master stats',
          'master error events',
          ...workerCounts.map((_, i) => `worker ${i + 1} error events`),
        ],
        extraFins: 1,
      };
    },
    expectations: () => [],
  };
}

describe('bad input', () => {
  const seed = Date.now() % 1_000_000;

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
