// Presence over Redis when a whole machine vanishes: nobody sees the process exit, so its
// heartbeats stopping is all there is. A worker nobody spawned is SIGKILLed (no goodbye, no
// parent to tell): it leaves everyone's list with `timeout`, within the timeout.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { LeaveReason, Member } from '@clustr/core';
import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_FILE, FIXTURE_EXEC_ARGV, TestCluster } from '../src/index.js';
import { within } from '../src/wait-for.js';

const STANDALONE = join(AGENT_FILE, '..', 'standalone-redis-worker.ts');

describe('presence over redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a member whose heartbeats stop (SIGKILL, no parent to see it) leaves with "timeout"', async () => {
    const namespace = 'presence-timeout';
    const presence = { intervalMs: 100, timeoutMs: 600 };
    await using cluster = await TestCluster.start(createRedisTransport({ url: redis.url, namespace }), {
      presence,
    });
    const master = cluster.master;
    const joined = new Promise<Member>((resolve) => master.onJoin(resolve));
    const child = spawn(process.execPath, [...FIXTURE_EXEC_ARGV, STANDALONE, redis.url, namespace], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await within(once(child.stdout!, 'data'), 'the standalone worker to be ready')) as [
      Buffer,
    ];
    const workerId = line.toString().trim();
    expect((await within(joined, 'the standalone worker to join')).id).toBe(workerId);
    const left = new Promise<[Member, LeaveReason]>((resolve) =>
      master.onLeave((member, reason) => member.id === workerId && resolve([member, reason])),
    );
    const killedAt = performance.now();
    child.kill('SIGKILL');
    const [, reason] = await within(left, 'the killed standalone worker to time out');
    expect(reason).toEqual({ kind: 'timeout' });
    // Seen missing after timeoutMs, checked once per interval: within timeout + interval (+ slack).
    expect(performance.now() - killedAt).toBeLessThan(presence.timeoutMs + presence.intervalMs + 500);
    expect(master.members().some((member) => member.id === workerId)).toBe(false);
  });
});
