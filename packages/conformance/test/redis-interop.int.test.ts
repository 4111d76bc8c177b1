// Redis beyond the shared suite: redis-cli and programs in other languages take part on the
// wire, a bash worker keeps its voice through its parent, and a process tree that shares only
// Redis with another exchanges every kind of message with it and kills one of its workers.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from '@clustr/core';
import type { Envelope } from '@clustr/protocol';
import { createRedisTransport } from '@clustr/transport-redis';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_FILE, type Agent, TestCluster, within } from '../src/index.js';

describe('redis interop', () => {
  let redis: RedisServer;
  let n = 0;
  const transport = (namespace = `interop-${++n}`) => createRedisTransport({ url: redis.url, namespace });

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('redis-cli PUBLISH <ns>:public reaches every worker’s onPublic, and <ns>:kill:<id> 3 makes it exit with 3', async () => {
    const namespace = `interop-cli-${++n}`;
    await using cluster = await TestCluster.start(transport(namespace));
    const agents = await cluster.spawn('cli', 2);
    const [first] = agents as [Agent];
    await redis.cli('PUBLISH', `${namespace}:public`, '{"meta":{"group":"ops"},"data":"from redis-cli"}');
    for (const agent of agents) {
      const [message] = await cluster.receivedAtLeast(agent, 'public', 1);
      expect(message).toEqual({ meta: { group: 'ops' }, data: 'from redis-cli' });
    }
    const handle = first.handle;
    if (handle === undefined) throw new Error('the master spawned this agent');
    const exited = new Promise<number | null>((resolve) => handle.once('exit', (info) => resolve(info.code)));
    await redis.cli('PUBLISH', `${namespace}:kill:${first.workerId}`, '3');
    expect(await within(exited, 'the worker killed by redis-cli to exit')).toBe(3);
  });

  it('a bash responder speaking only the documented wire (redis-cli) answers requests', async () => {
    const namespace = `interop-rpc-${++n}`;
    await using cluster = await TestCluster.start(transport(namespace));
    const { master } = cluster;
    const joined = new Promise<void>((resolve) => master.onJoin((m) => m.id === 'bash-rpc-1' && resolve()));
    const bash = spawn(
      'bash',
      [join(AGENT_FILE, '..', 'rpc-responder.sh'), redis.url, namespace, 'bash-rpc-1'],
      // Its own process group: redis-cli and the heartbeat loop end with it.
      { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
    );
    const gone = new Promise((resolve) => bash.once('exit', resolve));
    try {
      await within(joined, 'the bash responder to announce itself');
      expect(await master.request('bash-rpc-1', 'shout', { word: 'hi' })).toEqual({
        shouted: { word: 'hi' },
      });
      expect(await master.request('bash-rpc', 'shout', [1, 'two'])).toEqual({ shouted: [1, 'two'] });
    } finally {
      process.kill(-bash.pid!, 'SIGTERM');
      await within(gone, 'the bash responder to exit');
    }
  });

  it('relays what a bash worker writes on its IPC fd into Redis', async () => {
    await using cluster = await TestCluster.start(transport());
    cluster.master.spawn([{ file: join(AGENT_FILE, '..', 'hello.sh'), command: 'bash', restart: 'never' }]);
    const message = await cluster.until(
      () => cluster.masterMessages.private.find((m) => m.data === 'hello from bash'),
      'the bash worker’s message at the master, over Redis',
    );
    expect(message.meta.group).toBe('bash');
  });

  it('lets two trees that share only Redis exchange every kind of message and kill across', async () => {
    const namespace = `interop-trees-${++n}`;
    await using treeA = await TestCluster.start(transport(namespace));
    const [webA] = (await treeA.spawn('web', 1)) as [Agent];
    // Tree B: a process started by hand, not spawned by tree A; here, in the test process.
    const outsider = Worker.create({ group: 'outsider', transport: transport(namespace) });
    const got: Record<string, Envelope[]> = { public: [], group: [], private: [] };
    const record = (kind: string) => (message: Envelope) => {
      got[kind]?.push(message);
      treeA.touch();
    };
    outsider.onPublic(record('public'));
    outsider.onGroup(record('group'));
    outsider.onPrivate(record('private'));
    try {
      await outsider.ready();
      const fired: number[] = [];
      treeA.master.onConfirmation(2, 'both', (_last, all) => {
        fired.push(all.length);
        treeA.touch();
      });
      await treeA.command(webA, { cmd: 'publish', id: 0, channel: 'confirmation', data: 'both' });
      outsider.publish('confirmation', 'both');
      outsider.publish('public', 'hello tree A');
      outsider.publish('web', 'hello web group of tree A');
      outsider.publish(webA.workerId, 'hello webA privately');
      outsider.publish('master', 'hello master of tree A');
      await treeA.command(webA, {
        cmd: 'publish',
        id: 0,
        channel: outsider.workerId,
        data: 'hello outsider',
      });
      await treeA.command(webA, { cmd: 'publish', id: 0, channel: 'outsider', data: 'hello outsider group' });
      await treeA.command(webA, { cmd: 'publish', id: 0, channel: 'public', data: 'public from tree A' });
      await treeA.until(() => (fired.length === 1 ? true : undefined), 'one confirmation from both trees');
      for (const kind of ['public', 'group', 'private'] as const) {
        await treeA.until(
          () =>
            treeA.received(webA, kind).some((m) => m.meta.workerId === outsider.workerId) ? true : undefined,
          `the outsider's ${kind} message at tree A's web worker`,
        );
      }
      await treeA.until(
        () =>
          treeA.masterMessages.private.some((m) => m.data === 'hello master of tree A') ? true : undefined,
        'the outsider’s message at tree A’s master',
      );
      await treeA.until(
        () =>
          got.private?.length && got.group?.length && got.public?.some((m) => m.data === 'public from tree A')
            ? true
            : undefined,
        'tree A’s private, group and public messages at the outsider',
      );
      expect(got.private?.[0]).toEqual({
        meta: { workerId: webA.workerId, group: 'web' },
        data: 'hello outsider',
      });
      const handle = webA.handle;
      if (handle === undefined) throw new Error('the master spawned this agent');
      const exited = new Promise<number | null>((resolve) =>
        handle.once('exit', (info) => resolve(info.code)),
      );
      outsider.killWorker(webA.workerId, 0);
      expect(await within(exited, 'tree A’s web worker killed by tree B')).toBe(0);
    } finally {
      await outsider.close();
    }
  });
});
