// Scenario 8 — a hostile Redis client against a signed cluster. The master connects as a
// least-privilege ACL user with a password and holds a secret; it spawns a Node worker and a bash
// worker. Neither child's environment holds a credential, the Node worker still talks signed
// traffic, the bash worker's frames leave signed by its parent (and a frame it writes for someone
// else does not leave at all). A client with PUBLISH rights but no secret then tries every kill it
// can forge — none is obeyed — and floods a channel: the reports stay a handful and add up.
// A second master with the same secret is heard both ways and its kill obeyed. Last, the whole
// conformance suite runs signed, as that ACL user.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClustrError } from '@clustr/core';
import { encodeMeta } from '@clustr/protocol';
import { createRedisTransport } from '@clustr/transport-redis';
import { conformanceSuite } from '@clustr-internal/conformance';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { createClient } from '@redis/client';
import { describe, expect, it } from 'vitest';
import type { ErrorTally } from '../src/commands.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';

const NS = 'hostile';
const PASSWORD = 'acl-password-only-in-the-welcome-5e1d';
const SECRET = 'cluster-secret-only-in-the-welcome-93c7a1';
const FLOOD = 2000;
/** The least-privilege user the transport README recommends, for the channels `pattern`. */
const aclRules = (pattern: string) => [
  'on',
  `>${PASSWORD}`,
  'resetchannels',
  `&${pattern}`,
  'resetkeys',
  '-@all',
  ...[
    '+publish',
    '+subscribe',
    '+unsubscribe',
    '+eval',
    '+pubsub|numsub',
    '+ping',
    '+info',
    '+client|setname',
  ],
];
const BASH_WORKER = `printf '{"clustr":1,"channel":"master","meta":{"workerId":"%s","group":"bash"},"data":{"bash":"own"}}\\n' "$CLUSTR_WORKER_ID" >&"$NODE_CHANNEL_FD"
printf '{"clustr":1,"channel":"master","meta":{"workerId":"spoofed","group":"bash"},"data":{"bash":"spoofed"}}\\n' >&"$NODE_CHANNEL_FD"
while IFS= read -r -u "$NODE_CHANNEL_FD" _; do :; done
`;

/** Signs as the transport README tells another language to (not with the transport's code). */
function signAs(secret: string, channel: string, data: unknown, ts = Date.now()): string {
  const body = JSON.stringify({ meta: { group: 'ops' }, data, ts }).slice(0, -1);
  return `${body},"sig":"${createHmac('sha256', secret).update(`${channel}\n${body}`).digest('base64url')}"}`;
}

const reported = (errors: readonly ClustrError[]) =>
  errors.reduce((sum, e) => sum + (typeof e.details?.count === 'number' ? e.details.count : 1), 0);

async function runHostile(fig: Figure, redis: RedisServer, workDir: string): Promise<void> {
  await redis.cli('ACL', 'SETUSER', 'clustr', ...aclRules(`${NS}:*`));
  const url = `redis://clustr:${PASSWORD}@127.0.0.1:${redis.port}`;
  await using cluster = await RelCluster.start(createRedisTransport({ url, namespace: NS, secret: SECRET }));
  const bashMessages: unknown[] = [];
  cluster.master.onPrivate((message) => {
    if ((message.data as { bash?: unknown } | null)?.bash !== undefined) bashMessages.push(message);
    cluster.notify();
  });
  const [worker] = await cluster.spawn('hostile', 1, { restart: 'never' });
  writeFileSync(join(workDir, 'bash-worker.sh'), BASH_WORKER);
  const [bash] = cluster.master.spawn([
    { file: join(workDir, 'bash-worker.sh'), command: 'bash', restart: 'never' },
  ]);
  if (worker === undefined || bash === undefined) throw new Error('the workers were not spawned');
  await bash.ready;

  // 1. Credentials: over the link only.
  const environs = [worker.pid, bash.pid].map((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8'));
  const leaks = environs.flatMap((environ) =>
    [PASSWORD, SECRET, Buffer.from(SECRET).toString('base64'), 'redis://'].filter((s) => environ.includes(s)),
  );
  await cluster.probe([worker], 'the start (signed both ways)');
  await cluster.until(() => (bashMessages.length > 0 ? true : undefined), "the bash worker's relayed frame");
  await cluster.until(
    () => (cluster.errors.some((e) => e.code === 'ERR_CLUSTR_FORBIDDEN') ? true : undefined),
    "the master's report of the spoofed bash frame",
  );

  // 2. Every kill a client without the secret can forge, then a probe: per-sender order on the
  // worker's one subscriber connection makes it arrive after them.
  const hostile = createClient({ url: redis.url });
  await hostile.connect();
  const killChannel = `${NS}:kill:${worker.workerId}`;
  const attacks = [
    '3',
    JSON.stringify({ meta: { group: 'ops' }, data: 3 }),
    signAs('another-secret-of-at-least-32-bytes-0000', killChannel, 3),
    signAs(SECRET, killChannel, 3, Date.now() - 60_000),
    signAs(SECRET, `${NS}:kill:someone-else`, 3),
  ];
  for (const payload of attacks) await hostile.publish(killChannel, payload);
  await cluster.probe([worker], 'the forged kills');
  const aliveAfterKills = worker.state === 'running';

  // 3. A flood on public: every process drops it; the master's reports add up to it.
  const before = cluster.errors.length;
  const forged = signAs('another-secret-of-at-least-32-bytes-0000', `${NS}:public`, 'x');
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: FLOOD }, (_, i) => hostile.publish(`${NS}:public`, i % 2 ? forged : `garbage ${i}`)),
  );
  await hostile.close();
  await cluster.probe([worker], 'the flood', 'public');
  const floodReports = () => cluster.errors.slice(before).filter((e) => e.code === 'ERR_CLUSTR_FORBIDDEN');
  await cluster.until(
    () => (reported(floodReports()) === FLOOD ? true : undefined),
    `the master's throttled reports to add up to ${FLOOD}`,
  );
  const floodMs = performance.now() - t0;
  const tally = await cluster.command<ErrorTally>(worker, { cmd: 'errors' });

  // 4. A second master with the same secret: heard both ways, its kill obeyed.
  await using second = createRedisTransport({ url, namespace: NS, secret: SECRET });
  const acks: unknown[] = [];
  second.onMessage((_channel, envelope) => acks.push(envelope.data));
  await second.connect({ group: 'master' });
  await second.subscribe('master');
  const masterMeta = encodeMeta({ group: 'master' });
  second.publish(worker.workerId, masterMeta, JSON.stringify({ probe: 1_000_000 }));
  await cluster.until(() => (acks.length > 0 ? true : undefined), 'the worker to answer the second master');
  const killedAt = performance.now();
  second.publish(`kill:${worker.workerId}`, masterMeta, '7');
  const exit = await worker.exited;
  const killMs = performance.now() - killedAt;

  const line =
    `2 children (node, bash): ${leaks.length} credentials in /proc/<pid>/environ; ` +
    `forged kills obeyed ${aliveAfterKills ? 0 : 'some'}/${attacks.length} (bare, unsigned, wrongly signed, replayed, other channel); ` +
    `flood of ${FLOOD} bad frames → master ${floodReports().length} reports adding up to ${reported(floodReports())}, ` +
    `worker ${tally.counts.ERR_CLUSTR_FORBIDDEN ?? 0} forbidden reports in all (${Math.round(floodMs)} ms); ` +
    `bash: own frame relayed signed (${bashMessages.length}), spoofed one refused; ` +
    `second master heard both ways, its signed kill obeyed (exit ${exit.code}) in ${killMs.toFixed(0)} ms`;
  fig.set(line, { leaks, aliveAfterKills, floodReports: floodReports().length, exit: exit.code });

  expect(leaks).toEqual([]);
  expect(aliveAfterKills).toBe(true);
  expect(floodReports().length).toBeLessThanOrEqual(10);
  expect(tally.counts.ERR_CLUSTR_FORBIDDEN ?? 0).toBeLessThanOrEqual(20);
  expect(bashMessages).toEqual([{ meta: { workerId: bash.workerId, group: 'bash' }, data: { bash: 'own' } }]);
  expect(exit.code).toBe(7);
  expect(await redis.cli('ACL', 'LOG')).toBe('');
}

describe('redis hostile', () => {
  const fig = new Figure('redis hostile');
  printFigureAfterAll(fig);
  it('a signed cluster as a least-privilege ACL user: no credential in a child, no forged kill obeyed, a flood in a handful of reports', () =>
    measuring(fig, async () => {
      const workDir = mkdtempSync(join(tmpdir(), 'clustr-hostile-'));
      await using redis = await startRedisServer();
      try {
        await runHostile(fig, redis, workDir);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    }));
});

let conformanceRedis: RedisServer | undefined;
let clusters = 0;
conformanceSuite({
  name: 'redis, signed, least-privilege ACL user',
  setup: async () => {
    conformanceRedis = await startRedisServer();
    await conformanceRedis.cli('ACL', 'SETUSER', 'clustr', ...aclRules('signed-conformance-*'));
    const url = `redis://clustr:${PASSWORD}@127.0.0.1:${conformanceRedis.port}`;
    return {
      createTransport: () =>
        createRedisTransport({ url, namespace: `signed-conformance-${++clusters}`, secret: SECRET }),
      teardown: async () => {
        // Nothing the transport sent was refused by the server.
        expect(await conformanceRedis?.cli('ACL', 'LOG')).toBe('');
        await conformanceRedis?.stop();
      },
    };
  },
});
