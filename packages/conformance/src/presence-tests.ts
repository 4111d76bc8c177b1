import { join } from 'node:path';
import type { LeaveReason, Member } from '@clustr/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { AGENT_FILE, type Agent, TestCluster } from './test-cluster.js';
import { within } from './wait-for.js';

const idsOf = (members: readonly Member[]) => members.map((member) => member.id).sort();

/** Presence: who is alive, joins and leaves, on every transport. */
export function presenceTests(context: SuiteContext): void {
  describe('presence', () => {
    it('lists every member with its record; a late joiner knows the same members at once', async () => {
      // Heartbeats a minute apart (children inherit them): what anyone knows came from hellos.
      const presence = { intervalMs: 60_000, timeoutMs: 120_000 };
      await using cluster = await TestCluster.start(context.createTransport(), { presence });
      // The cluster's waits wake on what it observes: a join is one more thing to observe.
      cluster.master.onJoin(() => cluster.touch());
      const [a, b] = (await cluster.spawn('pres', 2)) as [Agent, Agent];
      const [grandchild] = (await cluster.spawnUnder(a, 'pres-below', 1)) as [Agent];
      const expected = [a.workerId, b.workerId, grandchild.workerId];
      const master = cluster.master;
      await cluster.until(
        () => (expected.every((id) => master.members().some((m) => m.id === id)) ? true : undefined),
        'the master to see its two workers and the grandchild',
      );
      const self = master.members().find((m) => m.workerId === 'master')!;
      expect(self).toMatchObject({ group: 'master', pid: process.pid, command: 'node', state: 'ready' });
      expect(self.stats?.rss).toBeGreaterThan(0);
      const below = master.members().find((m) => m.id === grandchild.workerId)!;
      expect(below).toMatchObject({
        workerId: grandchild.workerId,
        group: 'pres-below',
        parentId: a.workerId,
      });
      expect(master.members().find((m) => m.id === a.workerId)?.parentId).toBe(self.id);
      // A late joiner: the grandchild started last, and knows everyone without waiting for a beat.
      const everyone = idsOf(master.members());
      let seen: Member[] = [];
      // Each ask is a round trip to the grandchild; the answers to its hello are a round trip too.
      for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
        seen = (await cluster.command(grandchild, { cmd: 'members', id: 0 })) as Member[];
        if (idsOf(seen).join() === everyone.join()) break;
      }
      expect(idsOf(seen), 'the grandchild’s members, from the answers to its hello').toEqual(everyone);
      // Handed down by the master, through its child, to the grandchild.
      expect(seen.find((m) => m.id === grandchild.workerId)?.restarts).toBe(0);
    });

    it('a SIGKILLed member leaves with kind "exit" within a second (its parent saw it)', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const master = cluster.master;
      master.onJoin(() => cluster.touch());
      const [victim] = (await cluster.spawn('pres-kill', 1)) as [Agent];
      await cluster.until(
        () => (master.members().some((m) => m.id === victim.workerId) ? true : undefined),
        'the victim in the master’s members',
      );
      const left = new Promise<[Member, LeaveReason]>((resolve) => {
        const off = master.onLeave((member, reason) => {
          if (member.id !== victim.workerId) return;
          off();
          resolve([member, reason]);
        });
      });
      const killedAt = performance.now();
      process.kill(victim.handle!.pid!, 'SIGKILL');
      const [member, reason] = await within(left, 'the killed victim to leave the master’s members');
      expect(reason).toEqual({ kind: 'exit', code: null, signal: 'SIGKILL' });
      expect(member.state).toBe('leaving');
      expect(performance.now() - killedAt).toBeLessThan(1000);
    });

    it('a member that closes leaves with "closed"; one killed with a code, with that exit (its goodbye and its parent agree)', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const master = cluster.master;
      master.onJoin(() => cluster.touch());
      const [victim] = (await cluster.spawn('pres-close', 1)) as [Agent];
      await cluster.until(
        () => (master.members().some((m) => m.id === victim.workerId) ? true : undefined),
        'the victim in the master’s members',
      );
      const left = new Promise<LeaveReason>((resolve) => {
        master.onLeave((member, reason) => member.id === victim.workerId && resolve(reason));
      });
      master.killWorker(victim.workerId, 0);
      expect(await within(left, 'the killed victim to leave')).toEqual({
        kind: 'exit',
        code: 0,
        signal: null,
      });
    });

    it('a foreign child appears, announced by its parent, and leaves when it exits', async () => {
      await using cluster = await TestCluster.start(context.createTransport());
      const master = cluster.master;
      master.onJoin(() => cluster.touch());
      const [bash] = master.spawn([
        { file: join(AGENT_FILE, '..', 'idle.sh'), command: 'bash', restart: 'never' },
      ]);
      const member = await cluster.until(
        () => master.members().find((m) => m.id === bash!.workerId),
        'the bash child in the master’s members',
      );
      expect(member).toMatchObject({
        command: 'bash',
        group: 'bash',
        pid: bash!.pid,
        parentId: master.members()[0]!.id,
      });
      const left = new Promise<LeaveReason>((resolve) => {
        master.onLeave((gone, reason) => gone.id === bash!.workerId && resolve(reason));
      });
      process.kill(bash!.pid!, 'SIGTERM');
      expect(await within(left, 'the bash child to leave')).toMatchObject({ kind: 'exit' });
    });
  });
}
