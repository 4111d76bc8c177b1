import { eventually } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { HookLog } from './hook-log.js';
import { type Agent, TestCluster } from './test-cluster.js';
import { within } from './wait-for.js';

/** What starts an agent's shutdown, and what it must tell its hook and exit with. */
const TRIGGERS = [
  {
    name: 'killWorker',
    start: (cluster: TestCluster, agent: Agent) => cluster.master.killWorker(agent.workerId, 3),
    reason: { kind: 'kill', code: 3 },
    exitCode: 3,
  },
  {
    name: 'SIGTERM',
    start: (_: TestCluster, agent: Agent) => process.kill(agent.handle!.pid!, 'SIGTERM'),
    reason: { kind: 'signal', signal: 'SIGTERM' },
    exitCode: 0,
  },
  {
    name: 'SIGINT',
    start: (_: TestCluster, agent: Agent) => process.kill(agent.handle!.pid!, 'SIGINT'),
    reason: { kind: 'signal', signal: 'SIGINT' },
    exitCode: 0,
  },
  {
    name: 'close()',
    start: (cluster: TestCluster, agent: Agent) => void cluster.command(agent, { cmd: 'close', id: 0 }),
    reason: { kind: 'close' },
    exitCode: 0,
  },
] as const;

/** The first exit of a master-spawned agent's current run. */
function nextExit(agent: Agent): Promise<number | null> {
  return new Promise((resolve) => agent.handle!.once('exit', (info) => resolve(info.code)));
}

/** Shutdown hooks run before a worker leaves, whatever the cause, under one deadline. */
export function shutdownTests(context: SuiteContext): void {
  describe('shutdown hooks', () => {
    for (const trigger of TRIGGERS) {
      it(`completes a hook that works 300 ms before the exit on ${trigger.name}, exit code ${trigger.exitCode}`, async () => {
        await using cluster = await TestCluster.start(context.createTransport());
        const log = new HookLog();
        const [agent] = (await cluster.spawn('sd', 1, { AGENT_HOOK_LOG: log.path })) as [Agent];
        await eventually(() => log.find(agent.workerId, 'ready') !== undefined, 'the agent logged ready');
        const pid = agent.handle!.pid!;
        const exited = nextExit(agent);
        trigger.start(cluster, agent);
        expect(await within(exited, `the exit of the agent after ${trigger.name}`)).toBe(trigger.exitCode);
        // A kill with a non-zero code restarts it (on-failure): that run is not under test.
        await agent.handle!.stop();
        const events = log.of(pid).map((line) => line.event);
        expect(events).toEqual(['ready', 'hook-start', 'hook-done', 'exit']);
        const start = log.find(pid, 'hook-start')!;
        const done = log.find(pid, 'hook-done')!;
        expect(start.reason).toMatchObject(trigger.reason);
        // The hook's timer and Date.now() tick on different millisecond clocks: 300 ms may read 299.
        expect(done.at - start.at).toBeGreaterThanOrEqual(299);
        expect(log.find(pid, 'exit')?.code).toBe(trigger.exitCode);
      });
    }

    it('cuts a hook that hangs at shutdownTimeoutMs, reports it, and still exits', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const log = new HookLog();
      const env = { AGENT_HOOK_LOG: log.path, AGENT_HOOK_MS: 'hang', AGENT_SHUTDOWN_TIMEOUT_MS: '400' };
      const [agent] = (await cluster.spawn('sd', 1, env)) as [Agent];
      await eventually(() => log.find(agent.workerId, 'ready') !== undefined, 'the agent logged ready');
      const exited = nextExit(agent);
      process.kill(agent.handle!.pid!, 'SIGTERM');
      expect(await within(exited, 'the exit of the agent whose hook hangs')).toBe(0);
      await agent.handle!.stop();
      const start = log.find(agent.workerId, 'hook-start')!;
      const exit = log.find(agent.workerId, 'exit')!;
      expect(log.find(agent.workerId, 'hook-done')).toBeUndefined();
      expect(exit.at - start.at).toBeGreaterThanOrEqual(400);
      expect(log.find(agent.workerId, 'error')).toMatchObject({
        code: 'ERR_CLUSTR_TIMEOUT',
        message: expect.stringContaining('shutdownTimeoutMs (400 ms)'),
      });
    });
  });
}
