import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { HookLog } from './hook-log.js';
import { type Agent, TestCluster } from './test-cluster.js';
import { within } from './wait-for.js';

/** Rolling reloads: new incarnations first, private messages handed over, failures stop it. */
export function reloadTests(context: SuiteContext): void {
  describe('rolling reload', () => {
    it('replaces every worker of a group, keeps their workerIds, and the old ones hear { kind: "reload" }', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const log = new HookLog();
      const agents = await cluster.spawn('rl', 3, { AGENT_HOOK_LOG: log.path });
      const [other] = (await cluster.spawn('stay', 1)) as [Agent];
      const before = new Map(agents.map((agent) => [agent.workerId, agent.handle!.pid!]));
      // The plan of a group is made from presence: the master must have heard of them.
      await eventually(
        () => agents.every((agent) => cluster.master.members().some((m) => m.id === agent.workerId)),
        "the master's presence listing the 3 agents",
      );
      const summary = await cluster.master.reload({ group: 'rl', readyTimeoutMs: 20_000 });
      expect(summary.replaced.map((r) => r.workerId).sort()).toEqual([...before.keys()].sort());
      // Nothing of the group was kept (a worker presence does not list yet may be, with why).
      expect(summary.kept.filter((k) => before.has(k.workerId))).toEqual([]);
      for (const replaced of summary.replaced) {
        expect(replaced.previousPid).toBe(before.get(replaced.workerId));
        expect(replaced.pid).not.toBe(replaced.previousPid);
        expect(replaced.previousExit).toEqual({ code: 0, signal: null });
        expect(log.find(replaced.previousPid, 'hook-start')?.reason).toEqual({ kind: 'reload' });
        expect(log.find(replaced.previousPid, 'exit')?.code).toBe(0);
      }
      // Presence lists each once, as its new incarnation; the other group was left alone.
      await eventually(
        () =>
          summary.replaced.every((r) => {
            const member = cluster.master.members().find((m) => m.id === r.workerId);
            return member?.pid === r.pid && member.restarts === 1 && member.state === 'ready';
          }),
        'presence showing each new incarnation ready, with restarts 1',
      );
      expect(other.handle!.restarts).toBe(0);
      // The new incarnations answer.
      for (const agent of agents) {
        const answer = await cluster.master.request(agent.workerId, 'whoami', null);
        expect(answer).toBe(agent.workerId);
      }
    });

    it('hands the private channel over during the overlap: every message reaches one incarnation', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const log = new HookLog();
      const [agent] = (await cluster.spawn('pv', 1, {
        AGENT_HOOK_LOG: log.path,
        AGENT_LOG_PRIVATE: '1',
      })) as [Agent];
      let seq = 0;
      const pump = setInterval(() => {
        for (let i = 0; i < 5; i++) cluster.master.publish(agent.workerId, { seq: seq++ });
      }, 2);
      let summary: Awaited<ReturnType<typeof cluster.master.reload>>;
      try {
        summary = await cluster.master.reload({ readyTimeoutMs: 20_000 });
      } finally {
        clearInterval(pump);
      }
      const last = seq - 1;
      const [replaced] = summary.replaced;
      // The last message reaches the new incarnation: everything before it was sent.
      await eventually(
        () =>
          log
            .of(replaced!.pid)
            .some((e) => e.event === 'private' && (e.data as { seq: number }).seq === last),
        `the new incarnation logged message ${last}`,
      );
      const got = log.read().filter((e) => e.event === 'private');
      const counts = new Map<number, number>();
      for (const event of got) {
        const n = (event.data as { seq: number }).seq;
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      const lost = Array.from({ length: seq }, (_, n) => n).filter((n) => !counts.has(n));
      const duplicated = [...counts.values()].filter((count) => count > 1).length;
      const byOld = got.filter((e) => e.pid === replaced!.previousPid).length;
      expect(lost).toEqual([]);
      expect(byOld).toBeGreaterThan(0);
      expect(got.length - byOld).toBeGreaterThan(0);
      // IPC routes the private channel to one incarnation at a time; over Redis both are
      // subscribed between the new one's join and the old one's retirement (README: Rolling reload).
      if (context.name === 'ipc') expect(duplicated).toBe(0);
      else
        console.log(`redis reload handover: ${seq} private messages, ${duplicated} delivered twice, 0 lost`);
    });

    it('keeps the old worker when the new incarnation crashes at start, rejects, and the cluster keeps working', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const crashFile = join(mkdtempSync(join(tmpdir(), 'clustr-reload-')), 'crash');
      const [first, second] = (await cluster.spawn('cr', 2, { AGENT_CRASH_FILE: crashFile })) as [
        Agent,
        Agent,
      ];
      const pids = [first.handle!.pid, second.handle!.pid];
      await eventually(
        () => [first, second].every((agent) => cluster.master.members().some((m) => m.id === agent.workerId)),
        "the master's presence listing the 2 agents",
      );
      writeFileSync(crashFile, '');
      const failure = await cluster.master.reload({ group: 'cr', readyTimeoutMs: 20_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({
        code: 'ERR_CLUSTR_RELOAD_FAILED',
        message: expect.stringMatching(
          /^worker [0-9a-f-]{36} \(.*agent\.ts\): its new incarnation \(pid \d+\) exited before it was ready \(exit code 3\); the old one keeps running$/,
        ),
        details: { summary: { replaced: [], kept: expect.any(Array) } },
      });
      expect([first.handle!.pid, second.handle!.pid]).toEqual(pids);
      expect([first.handle!.state, second.handle!.state]).toEqual(['running', 'running']);
      // Still working: both answer, and a private message arrives.
      expect(await cluster.master.request(first.workerId, 'whoami', null)).toBe(first.workerId);
      expect(await cluster.master.request(second.workerId, 'whoami', null)).toBe(second.workerId);
      cluster.master.publish(second.workerId, 'still here');
      await within(
        cluster.receivedAtLeast(second, 'private', 1),
        'a private message after the failed reload',
      );
    });
  });
}
