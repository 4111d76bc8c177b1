import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HookEvent, HookLog } from '../src/hook-log.js';
import { FIXTURE_EXEC_ARGV } from '../src/test-cluster.js';
import { within } from '../src/wait-for.js';

const MASTER_FILE = join(import.meta.dirname, '..', 'fixtures', 'tree-master.ts');
const SHUTDOWN_TIMEOUT_MS = 3_000;
/** 2 chains of 3 workers under the master. */
const WORKERS = 6;

let redis: RedisServer | undefined;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The workerIds (and `master`) below `origin` in the tree the log describes. */
function descendants(events: HookEvent[], origin: string): string[] {
  const children = [...new Set(events.filter((e) => e.parent === origin).map((e) => e.origin))];
  return children.flatMap((child) => [child, ...descendants(events, child)]);
}

for (const transport of ['ipc', 'redis'] as const) {
  describe(`a 3-level tree under SIGTERM to its master (${transport})`, () => {
    it('runs every hook leaves-first, leaves no process behind, and the master exits 0 in time', async () => {
      const log = new HookLog();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AGENT_HOOK_LOG: log.path,
        AGENT_LEVELS: '2',
        AGENT_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        ...(transport === 'redis' ? { TREE_REDIS_URL: redis!.url } : {}),
      };
      const master: ChildProcess = spawn(process.execPath, [...FIXTURE_EXEC_ARGV, MASTER_FILE], {
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => master.once('exit', (code) => resolve(code)));
      try {
        await eventually(
          () => log.read().filter((e) => e.event === 'ready').length === WORKERS + 1,
          `the master and its ${WORKERS} workers logged ready`,
          20_000,
        );
        const started = Date.now();
        master.kill('SIGTERM');
        expect(await within(exited, 'the exit of the master after SIGTERM')).toBe(0);
        expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_000);
      } finally {
        if (master.exitCode === null) master.kill('SIGKILL');
      }
      const events = log.read();
      const origins = [...new Set(events.map((e) => e.origin))];
      expect(origins).toHaveLength(WORKERS + 1);
      for (const origin of origins) {
        const start = events.find((e) => e.origin === origin && e.event === 'hook-start');
        const done = events.find((e) => e.origin === origin && e.event === 'hook-done');
        expect(start, `${origin} ran its hook`).toBeDefined();
        expect(done, `${origin}'s hook finished`).toBeDefined();
        const exit = events.find((e) => e.origin === origin && e.event === 'exit');
        expect(exit?.code, `${origin} exited 0`).toBe(0);
        // Leaves first: every process below it had exited before its own hook started.
        for (const below of descendants(events, origin)) {
          const belowExit = events.find((e) => e.origin === below && e.event === 'exit');
          expect(belowExit!.at, `${below} exited before ${origin}'s hook`).toBeLessThanOrEqual(start!.at);
        }
      }
      expect(descendants(events, 'master')).toHaveLength(WORKERS);
      const pids = [...new Set(events.map((e) => e.pid))];
      await eventually(() => pids.every((pid) => !isAlive(pid)), 'every process of the tree gone', 1_000);
    });
  });
}
