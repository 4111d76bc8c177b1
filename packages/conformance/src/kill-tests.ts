import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { type Agent, TestCluster } from './test-cluster.js';
import { within } from './wait-for.js';

/** Waits until `parent` (or the master) saw `child` exit; returns the exit code. */
async function exitOf(cluster: TestCluster, child: Agent): Promise<number | null> {
  const report = await cluster.until(
    () => cluster.reports.find((r) => r.report === 'child-exit' && r.child === child.workerId),
    `the exit of ${child.group} ${child.workerId}, seen by its parent`,
  );
  return report.report === 'child-exit' ? report.code : null;
}

function watchMasterChildren(cluster: TestCluster, agents: Agent[]): void {
  for (const agent of agents) {
    agent.handle?.on('exit', (info) => {
      cluster.note({
        report: 'child-exit',
        origin: 'master',
        child: agent.workerId,
        code: info.code,
        signal: info.signal,
      });
    });
  }
}

/** killWorker from every direction; the parent observes the exit code; non-zero restarts. */
export function killTests(context: SuiteContext): void {
  describe('kill', () => {
    it('kills master→worker, worker→sibling, worker→grandchild and grandchild→uncle with the given codes', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const [p1, p2, p3] = (await cluster.spawn('k', 3)) as [Agent, Agent, Agent];
      watchMasterChildren(cluster, [p1, p2, p3]);
      const [p1c] = (await cluster.spawnUnder(p1, 'kc', 1)) as [Agent];
      const [p1cc, p1cc2] = (await cluster.spawnUnder(p1c, 'kcc', 2)) as [Agent, Agent];

      // worker → nested grandchild (exit 0: stays down under on-failure)
      await cluster.command(p2, { cmd: 'kill', id: 0, target: p1cc.workerId, code: 0 });
      expect(await exitOf(cluster, p1cc)).toBe(0);
      // grandchild → great-uncle (p1cc2 sits under p1 → p1c; p3 is p1's sibling)
      await cluster.command(p1cc2, { cmd: 'kill', id: 0, target: p3.workerId, code: 0 });
      expect(await exitOf(cluster, p3)).toBe(0);
      // worker → sibling
      await cluster.command(p1, { cmd: 'kill', id: 0, target: p2.workerId, code: 0 });
      expect(await exitOf(cluster, p2)).toBe(0);
      // master → worker
      cluster.master.killWorker(p1cc2.workerId, 0);
      expect(await exitOf(cluster, p1cc2)).toBe(0);
      expect(cluster.reports.some((r) => r.report === 'child-restart')).toBe(false);
    });

    it('restarts a worker killed with a non-zero code under the default policy, keeping its workerId', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const [worker] = (await cluster.spawn('r', 1)) as [Agent];
      const handle = worker.handle;
      if (handle === undefined) throw new Error('the master spawned this agent, so it has a handle');
      const exited = new Promise<number | null>((resolve) =>
        handle.once('exit', (info) => resolve(info.code)),
      );
      const restarted = new Promise<void>((resolve) => handle.once('ready', () => resolve()));
      cluster.master.killWorker(worker.workerId, 3);
      expect(await within(exited, 'the exit of the killed worker')).toBe(3);
      await within(restarted, 'the restarted worker to be ready again');
      expect(handle.workerId).toBe(worker.workerId);
      expect(handle.restarts).toBe(1);
      // The restarted worker is back in the cluster under the same id.
      cluster.master.publish(worker.workerId, 'welcome back');
      await cluster.until(
        () => (cluster.received(worker, 'private').some((m) => m.data === 'welcome back') ? true : undefined),
        'the private message at the restarted worker',
      );
    });
  });
}
