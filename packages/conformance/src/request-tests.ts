import type { ClustrError, PresenceOptions } from '@clustr/core';
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from './commands.js';
import type { SuiteContext } from './conformance-suite.js';
import { type Agent, TestCluster } from './test-cluster.js';
import { within } from './wait-for.js';

/** Starts a cluster whose master wakes its waits on every join, and `count` agents of `group`. */
async function withAgents(
  context: SuiteContext,
  group: string,
  count: number,
  options: { presence?: PresenceOptions; setUp?: (master: TestCluster['master']) => void } = {},
): Promise<{ cluster: TestCluster; agents: Agent[] }> {
  const { presence, setUp } = options;
  const cluster = await TestCluster.start(
    context.createTransport(),
    presence === undefined ? {} : { presence },
  );
  cluster.master.onJoin(() => cluster.touch());
  setUp?.(cluster.master);
  const agents = await cluster.spawn(group, count);
  await knownToMaster(cluster, agents);
  return { cluster, agents };
}

/** Waits until the master's presence lists `agents` (with the methods of their first heartbeat). */
function knownToMaster(cluster: TestCluster, agents: readonly Agent[]): Promise<true> {
  const ids = agents.map((agent) => agent.workerId);
  return cluster.until(
    () => (ids.every((id) => cluster.master.members().some((m) => m.id === id)) ? true : undefined),
    `the master to know ${ids.length} agent(s)`,
  );
}

/** Asks `agent` to make a request and waits until it settled there. */
async function requestFrom(
  cluster: TestCluster,
  agent: Agent,
  target: string,
  method: string,
  data: unknown,
  timeoutMs?: number,
): Promise<RequestOutcome> {
  const command = { cmd: 'request', id: 0, target, method, data, timeoutMs } as const;
  return (await cluster.command(agent, command)) as RequestOutcome;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: ClustrError) => error,
  );

/** Request/reply and one-of-group delivery, on every transport. */
export function requestTests(context: SuiteContext): void {
  describe('request/reply', () => {
    it('asks a workerId, the master and a group (300 requests over 3 members: 100 each)', async () => {
      const { cluster, agents } = await withAgents(context, 'rr', 3, {
        setUp: (master) =>
          master.onRequest<string, string>(
            'greet',
            ({ data, meta }) => `hello ${data} from ${meta.workerId}`,
          ),
      });
      await using _ = cluster;
      const [a, b] = agents as [Agent, Agent, Agent];
      const { master } = cluster;
      expect(await master.request(a.workerId, 'echo', { x: [1, 'two'] })).toEqual({ x: [1, 'two'] });
      const masterId = master.members().find((m) => m.workerId === 'master')!.id;
      await cluster.command(a, { cmd: 'await-members', id: 0, ids: [masterId, b.workerId] });
      expect(await requestFrom(cluster, a, 'master', 'greet', 'a')).toEqual({
        ok: `hello a from ${a.workerId}`,
      });
      expect(await requestFrom(cluster, a, b.workerId, 'whoami', null)).toEqual({ ok: b.workerId });
      const answers = await Promise.all(
        Array.from({ length: 300 }, () => master.request<string>('rr', 'whoami', null)),
      );
      const histogram = agents.map((agent) => answers.filter((id) => id === agent.workerId).length);
      for (const count of histogram) expect(Math.abs(count - 100)).toBeLessThanOrEqual(1);
    });

    it('fails with ERR_CLUSTR_TIMEOUT, ERR_CLUSTR_REMOTE (with the code) and, fast, ERR_CLUSTR_NO_RESPONDER', async () => {
      const { cluster, agents } = await withAgents(context, 'rr-fail', 1);
      await using _ = cluster;
      const [a] = agents as [Agent];
      const { master } = cluster;
      const timedOut = await failure(master.request(a.workerId, 'hang', null, { timeoutMs: 100 }));
      expect(timedOut).toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
      const remote = await failure(master.request(a.workerId, 'fail', 'E_QUOTA'));
      expect(remote).toMatchObject({
        code: 'ERR_CLUSTR_REMOTE',
        details: { remote: { name: 'TypeError', message: 'failing with E_QUOTA', code: 'E_QUOTA' } },
      });
      expect((remote?.details?.remote as object) ?? {}).not.toHaveProperty('stack');
      const started = performance.now();
      const none = await failure(master.request('rr-fail', 'no-such-method', null));
      const elapsed = performance.now() - started;
      expect(none).toMatchObject({ code: 'ERR_CLUSTR_NO_RESPONDER' });
      if (context.name === 'ipc') expect(elapsed).toBeLessThan(50);
      expect(await requestFrom(cluster, a, 'nobody-here', 'echo', 1)).toMatchObject({
        code: 'ERR_CLUSTR_NO_RESPONDER',
      });
    });

    it('fails with ERR_CLUSTR_NO_RESPONDER as soon as the member asked is SIGKILLed, and on abort', async () => {
      const presence = { intervalMs: 100, timeoutMs: 500 };
      const { cluster, agents } = await withAgents(context, 'rr-kill', 2, { presence });
      await using _ = cluster;
      const [asker, victim] = agents as [Agent, Agent];
      await cluster.command(asker, { cmd: 'await-members', id: 0, ids: [victim.workerId] });
      const outcome = requestFrom(cluster, asker, victim.workerId, 'hang', null, 60_000);
      await cluster.until(
        () => cluster.reports.find((r) => r.report === 'handling' && r.origin === victim.workerId),
        'the victim to start handling the request',
      );
      const killedAt = performance.now();
      process.kill(victim.handle!.pid!, 'SIGKILL');
      expect(await outcome).toMatchObject({ code: 'ERR_CLUSTR_NO_RESPONDER' });
      const bound = context.name === 'ipc' ? 1000 : presence.timeoutMs + presence.intervalMs;
      expect(performance.now() - killedAt).toBeLessThan(bound);
      const controller = new AbortController();
      const aborted = failure(
        cluster.master.request(asker.workerId, 'hang', null, { signal: controller.signal }),
      );
      await cluster.until(
        () => cluster.reports.find((r) => r.report === 'handling' && r.origin === asker.workerId),
        'the asker to start handling the master’s request',
      );
      controller.abort();
      expect(await aborted).toMatchObject({ code: 'ERR_CLUSTR_ABORTED' });
    });

    it('answers 10,000 concurrent requests, each exactly once', async () => {
      const { cluster, agents } = await withAgents(context, 'rr-many', 3);
      await using _ = cluster;
      const { master } = cluster;
      const count = 10_000;
      const answers = await within(
        Promise.all(Array.from({ length: count }, (_, i) => master.request<number>('rr-many', 'echo', i))),
        `${count} answers`,
        60_000,
      );
      expect(answers.every((answer, i) => answer === i)).toBe(true);
      const handled = (await Promise.all(
        agents.map((agent) => cluster.command(agent, { cmd: 'handled', id: 0 })),
      )) as Record<string, number>[];
      expect(handled.reduce((sum, h) => sum + (h.echo ?? 0), 0)).toBe(count);
      expect(master.requestStats()).toMatchObject({ inFlight: 0, lateReplies: 0 });
    });
  });

  describe('deliver: "one"', () => {
    it('spreads 3,000 messages over 3 members, 1,000 each, none reaching two', async () => {
      const { cluster, agents } = await withAgents(context, 'rr-one', 3);
      await using _ = cluster;
      const count = 3000;
      for (let i = 0; i < count; i++) cluster.master.publish('rr-one', i, { deliver: 'one' });
      const total = () => agents.reduce((sum, agent) => sum + cluster.received(agent, 'group').length, 0);
      await cluster.until(() => (total() >= count ? true : undefined), `${count} one-of-group deliveries`);
      const each = agents.map((agent) => cluster.received(agent, 'group').map((m) => m.data as number));
      for (const got of each) expect(Math.abs(got.length - count / 3)).toBeLessThanOrEqual(1);
      expect(new Set(each.flat()).size).toBe(count);
      expect(total()).toBe(count);
    });
  });
}
