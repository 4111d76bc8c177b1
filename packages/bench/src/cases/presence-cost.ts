// What presence costs a process of a 64-member cluster (the presence issue): each interval it
// receives 63 heartbeats (parsed, checked by its router, delivered, read into its table) and
// sends its own (stats sampled, encoded, written). A real master on the IPC transport takes the
// heartbeats of 63 members from child links fed by this bench, as fast as it can; the time one
// interval's worth takes, against the interval itself, is the share of one core presence needs.
import type { ChildLink, Transport } from '@clustr/protocol';
import { createIpcTransport } from '@clustr/transport-ipc';
import { loadCore } from '../clustr-api.js';
import { type FrameHandler, fakeLink } from '../fake-link.js';
import { measurement, type RunContext } from '../measurement.js';

const MEMBERS = 64;
const INTERVAL_MS = 1000;
/** Intervals played per run: enough that one takes well over a timer's resolution in total. */
const ROUNDS = 300;

interface Sender {
  readonly frame: FrameHandler;
  readonly line: string;
}

function beatLine(workerId: string, round: number): string {
  const beat = {
    id: workerId,
    workerId,
    group: 'web',
    parentId: 'master@bench:1',
    host: 'bench',
    pid: 1000 + round,
    command: 'node',
    file: '/srv/app/web.js',
    startedAt: 1_764_729_600_000,
    restarts: 0,
    state: 'ready',
    stats: {
      rss: 48_000_000,
      cpuPercent: 3.5,
      eventLoopDelayP99Ms: 1.2,
      messagesOut: 123_456,
      messagesIn: 654_321,
      bytesOut: 9_876_543,
      bytesIn: 8_765_432,
      queuedBytes: 0,
      errors: 0,
    },
  };
  return JSON.stringify({
    clustr: 1,
    channel: 'presence:all',
    meta: { workerId, group: 'web' },
    data: { beat },
  });
}

/** Milliseconds of work one interval of a 64-member cluster costs a master. */
async function presenceCost(context: RunContext): Promise<{ ms: number; bytes: number }> {
  const { Master } = await loadCore();
  const transport = (await createIpcTransport()) as Transport;
  const master = Master.create({
    transport,
    presence: { intervalMs: INTERVAL_MS, timeoutMs: 5 * INTERVAL_MS },
  } as never) as unknown as {
    ready(): Promise<void>;
    close(): Promise<void>;
    members(): unknown[];
  };
  context.defer(() => master.close());
  await context.wait(master.ready(), 'the bench master to be ready');
  const senders: Sender[] = [];
  for (let i = 1; i < MEMBERS; i++) {
    const workerId = globalThis.crypto.randomUUID();
    const link = Object.assign(fakeLink([]), { workerId, pid: i }) as ChildLink & { frame: FrameHandler };
    transport.adopt(link);
    link.frame({ clustr: 1, type: 'join', workerId, group: 'web' }, '', 0);
    senders.push({ frame: link.frame, line: beatLine(workerId, 0) });
  }
  const round = (): void => {
    for (const { frame, line } of senders) frame(JSON.parse(line), line, line.length);
  };
  round();
  if (master.members().length !== MEMBERS) {
    throw new Error(`presence bench: the master knows ${master.members().length} of ${MEMBERS} members`);
  }
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) round();
  const used = process.cpuUsage(start);
  // Left out: its own heartbeat, one stats sample and one publish per interval, next to the 63
  // it reads.
  const ms = (used.user + used.system) / 1000 / ROUNDS;
  return { ms, bytes: senders[0]!.line.length };
}

/** Presence's cost, and the interval it is judged against (one core for one interval). */
export const presenceMeasurements = [
  measurement({
    id: 'presence.cpu-64.clustr',
    caseName: 'presence, 64 members',
    label: 'clustr, CPU per interval',
    family: 'clustr',
    metrics: { ms: 'ms' },
    needsRedis: false,
    run: async (context) => ({ ms: (await presenceCost(context)).ms }),
  }),
  measurement({
    id: 'presence.traffic-64.clustr',
    caseName: 'presence traffic, 64 members',
    label: 'clustr, heartbeats',
    family: 'clustr',
    metrics: { rate: 'msg/s' },
    needsRedis: false,
    // By definition: one heartbeat per member per interval, each process sending one.
    run: () => Promise.resolve({ rate: (MEMBERS * 1000) / INTERVAL_MS }),
  }),
  measurement({
    id: 'presence.cpu-64.interval',
    caseName: 'presence, 64 members',
    label: 'the interval (one core)',
    family: 'baseline',
    metrics: { ms: 'ms' },
    needsRedis: false,
    run: () => Promise.resolve({ ms: INTERVAL_MS }),
  }),
];
