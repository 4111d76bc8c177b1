// The Redis credentials of a master reach its workers only over their links (the welcome), never
// through the environment: what the kernel shows of every child, Node or bash, and of a
// grandchild, holds neither the password nor the descriptor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_FILE, TestCluster } from '../src/index.js';

const PASSWORD = 'only-in-the-welcome-7f3a';

function environOf(pid: number | undefined): string {
  if (pid === undefined) throw new Error('the child has no pid: it is not running');
  return readFileSync(`/proc/${pid}/environ`, 'utf8');
}

describe('credentials over the link, not the environment', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--requirepass', PASSWORD], password: PASSWORD });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a Node worker, a bash worker and a grandchild of a Redis master: no password, no descriptor in /proc/<pid>/environ', async () => {
    const url = redis.url.replace('redis://', `redis://:${PASSWORD}@`);
    await using cluster = await TestCluster.start(createRedisTransport({ url, namespace: 'creds' }));
    // Ready means joined: the worker reached the password-protected server with what its welcome held.
    const [agent] = await cluster.spawn('creds', 1);
    const [grandchild] = await cluster.spawnUnder(agent!, 'creds-below', 1);
    const [bash] = cluster.master.spawn([
      { file: join(AGENT_FILE, '..', 'idle.sh'), command: 'bash', restart: 'never' },
    ]);
    await bash!.ready;
    cluster.master.publish('public', 'over redis');
    for (const member of [agent!, grandchild!]) {
      const [message] = await cluster.receivedAtLeast(member, 'public', 1);
      expect(message?.data).toBe('over redis');
    }
    const grandchildReady = cluster.reports.find(
      (report) => report.report === 'ready' && report.origin === grandchild!.workerId,
    );
    const grandchildPid = grandchildReady?.report === 'ready' ? grandchildReady.pid : undefined;
    const environs = {
      node: environOf(agent!.handle?.pid),
      bash: environOf(bash!.pid),
      grandchild: environOf(grandchildPid),
    };
    for (const [who, environ] of Object.entries(environs)) {
      expect(environ, who).toContain('CLUSTR_WORKER_ID=');
      expect(environ, who).not.toContain(PASSWORD);
      expect(environ, who).not.toContain('CLUSTR_TRANSPORT');
      expect(environ, who).not.toContain('redis://');
    }
  });
});
