import type { Envelope } from '@clustr/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { type Agent, TestCluster } from './test-cluster.js';

const dataOf = (messages: Envelope[]): unknown[] => messages.map((m) => m.data);

/**
 * One tree for every channel row: master → a1, a2 (group a), b1 (group b); a1 → a11 (group a);
 * a11 → c111 (group c): depth 3.
 */
export function channelTests(context: SuiteContext): void {
  describe('channels', () => {
    let cluster: TestCluster;
    let a1: Agent;
    let a2: Agent;
    let b1: Agent;
    let a11: Agent;
    let c111: Agent;
    let all: Agent[];
    let fence = 0;

    /** Sends a private marker from `from` to `to` and waits for it: what `from` sent before has arrived. */
    async function fenceFrom(from: Agent | 'master', to: Agent): Promise<void> {
      const marker = `fence-${++fence}`;
      if (from === 'master') cluster.master.publish(to.workerId, marker);
      else await cluster.command(from, { cmd: 'publish', id: 0, channel: to.workerId, data: marker });
      await cluster.until(
        () => (cluster.received(to, 'private').some((m) => m.data === marker) ? true : undefined),
        `fence ${marker} at ${to.workerId}`,
      );
    }

    beforeAll(async () => {
      cluster = await TestCluster.start(context.createTransport());
      [a1, a2] = (await cluster.spawn('a', 2)) as [Agent, Agent];
      [b1] = (await cluster.spawn('b', 1)) as [Agent];
      [a11] = (await cluster.spawnUnder(a1, 'a', 1)) as [Agent];
      [c111] = (await cluster.spawnUnder(a11, 'c', 1)) as [Agent];
      all = [a1, a2, b1, a11, c111];
    }, 60_000);
    afterAll(async () => {
      await cluster?.master.close();
    });

    it('queues what a worker publishes before ready(): every agent said hello to the master', async () => {
      await cluster.until(
        () =>
          cluster.masterMessages.private.filter((m) => (m.data as { hello?: string }).hello).length >= 5
            ? true
            : undefined,
        'hello from all 5 agents',
      );
      const senders = cluster.masterMessages.private
        .filter((m) => (m.data as { hello?: string }).hello)
        .map((m) => m.meta.workerId);
      expect(new Set(senders)).toEqual(new Set(all.map((a) => a.workerId)));
    });

    it('public from the master reaches every process, the master included, with master meta', async () => {
      cluster.master.publish('public', { n: 'from-master' });
      for (const agent of all) {
        const [message] = await cluster.receivedAtLeast(agent, 'public', 1);
        expect(message).toEqual({ meta: { group: 'master' }, data: { n: 'from-master' } });
      }
      await cluster.until(
        () => (cluster.masterMessages.public.length >= 1 ? true : undefined),
        'the master’s own public message',
      );
      expect(cluster.masterMessages.public[0]).toEqual({
        meta: { group: 'master' },
        data: { n: 'from-master' },
      });
    });

    it('public from a depth-3 worker reaches every process, the sender included', async () => {
      await cluster.command(c111, { cmd: 'publish', id: 0, channel: 'public', data: 'from-c111' });
      const expected = { meta: { workerId: c111.workerId, group: 'c' }, data: 'from-c111' };
      for (const agent of all) {
        await cluster.until(
          () => (cluster.received(agent, 'public').some((m) => m.data === 'from-c111') ? true : undefined),
          `c111's public message at ${agent.group} ${agent.workerId}`,
        );
        expect(cluster.received(agent, 'public').find((m) => m.data === 'from-c111')).toEqual(expected);
      }
      await cluster.until(
        () => (cluster.masterMessages.public.some((m) => m.data === 'from-c111') ? true : undefined),
        'c111’s public message at the master',
      );
    });

    it('group messages reach every worker of the group at any depth, never another group, never the master', async () => {
      await cluster.command(b1, { cmd: 'publish', id: 0, channel: 'a', data: 'to-a' });
      for (const agent of [a1, a2, a11]) {
        const got = await cluster.receivedAtLeast(agent, 'group', 1);
        expect(got).toEqual([{ meta: { workerId: b1.workerId, group: 'b' }, data: 'to-a' }]);
      }
      for (const agent of [b1, c111]) await fenceFrom(b1, agent);
      await fenceFrom(b1, a1);
      expect(dataOf(cluster.received(b1, 'group'))).toEqual([]);
      expect(dataOf(cluster.received(c111, 'group'))).toEqual([]);
      expect(
        cluster.masterMessages.private.concat(cluster.masterMessages.public).some((m) => m.data === 'to-a'),
      ).toBe(false);
    });

    it('private messages reach exactly one worker, from the master and from another worker', async () => {
      cluster.master.publish(c111.workerId, 'secret-for-c111');
      await cluster.command(a2, { cmd: 'publish', id: 0, channel: a11.workerId, data: 'secret-for-a11' });
      await cluster.until(
        () =>
          cluster.received(c111, 'private').some((m) => m.data === 'secret-for-c111') ? true : undefined,
        'the private message at c111',
      );
      await cluster.until(
        () => (cluster.received(a11, 'private').some((m) => m.data === 'secret-for-a11') ? true : undefined),
        'the private message at a11',
      );
      for (const agent of all) await fenceFrom('master', agent);
      for (const agent of all) {
        const secrets = dataOf(cluster.received(agent, 'private')).filter((d) =>
          String(d).startsWith('secret'),
        );
        if (agent === c111) expect(secrets).toEqual(['secret-for-c111']);
        else if (agent === a11) expect(secrets).toEqual(['secret-for-a11']);
        else expect(secrets).toEqual([]);
      }
    });

    it('the "master" channel reaches the master’s onPrivate with the sender’s meta', async () => {
      await cluster.command(a11, { cmd: 'publish', id: 0, channel: 'master', data: { report: 42 } });
      const message = await cluster.until(
        () => cluster.masterMessages.private.find((m) => (m.data as { report?: number }).report === 42),
        'a11’s message on the master channel',
      );
      expect(message).toEqual({ meta: { workerId: a11.workerId, group: 'a' }, data: { report: 42 } });
    });

    it('keeps per-sender order for 1,000 messages across the tree', async () => {
      await cluster.command(c111, {
        cmd: 'publish-many',
        id: 0,
        channel: a2.workerId,
        count: 1000,
        tag: 'order',
      });
      const got = await cluster.until(() => {
        const seqs = cluster
          .received(a2, 'private')
          .map((m) => m.data as { tag?: string; seq?: number })
          .filter((d) => d.tag === 'order')
          .map((d) => d.seq);
        return seqs.length >= 1000 ? seqs : undefined;
      }, '1,000 ordered messages at a2');
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    });

    it('counts confirmations and fires on every n-th, twice for 2n', async () => {
      const fired: { last: unknown; all: unknown[] }[] = [];
      const off = cluster.master.onConfirmation(2, 'warm', (last, messages) => {
        fired.push({ last: last.meta.workerId, all: messages.map((m) => m.meta.workerId) });
        cluster.touch();
      });
      const unrelated: unknown[] = [];
      const offOther = cluster.master.onConfirmation(1, 'cold', (last) => unrelated.push(last.data));
      try {
        for (const agent of [a1, b1, a11, c111]) {
          await cluster.command(agent, { cmd: 'publish', id: 0, channel: 'confirmation', data: 'warm' });
        }
        await cluster.until(
          () => (fired.length >= 2 ? true : undefined),
          'two confirmation callbacks for 4 × "warm"',
        );
        expect(fired.map((f) => f.all.length)).toEqual([2, 2]);
        expect(new Set(fired.flatMap((f) => f.all))).toEqual(
          new Set([a1, b1, a11, c111].map((a) => a.workerId)),
        );
        expect(unrelated).toEqual([]);
      } finally {
        off();
        offOther();
      }
    });

    it('removes a handler with the function its registration returned', async () => {
      await cluster.command(a2, { cmd: 'off', id: 0, kind: 'public' });
      const before = cluster.received(a2, 'public').length;
      cluster.master.publish('public', 'after-off');
      await cluster.until(
        () => (cluster.received(a1, 'public').some((m) => m.data === 'after-off') ? true : undefined),
        'the public message at a1, whose handler stayed',
      );
      await fenceFrom('master', a2);
      expect(cluster.received(a2, 'public').length).toBe(before);
    });
  });
}
