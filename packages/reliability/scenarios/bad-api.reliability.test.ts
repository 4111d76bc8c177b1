// Scenario 7 — bad API input: every option of spawn, publish, create and killWorker with wrong
// types and values gets a ClustrError whose message names what was wrong; no process is left
// half-started, and the master still works afterwards.

import { readFileSync } from 'node:fs';
import { Master, type Transport, Worker } from '@clustr/core';
import { isClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import { createIpcTransport } from '@clustr/transport-ipc';
import { createRedisTransport } from '@clustr/transport-redis';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { type BadCall, CREATE_CASES, KILL_CASES, PUBLISH_CASES, SPAWN_CASES } from '../src/bad-api-cases.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { descendantsOf, procStat } from '../src/proc-tree.js';
import { RelCluster } from '../src/rel-cluster.js';
import { Figure, measuring } from '../src/report.js';

interface Outcome extends BadCall {
  problem: string | undefined;
}

/** Our own child processes, without tsx's esbuild service (which starts when it likes). */
function ownChildren(): number[] {
  return descendantsOf(process.pid).filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('esbuild') && procStat(pid) !== undefined;
    } catch {
      return false;
    }
  });
}

async function attempt(outcomes: Outcome[], call: BadCall, run: () => unknown): Promise<void> {
  let problem: string | undefined;
  try {
    const result = run();
    problem = `no error (returned ${describeValue(result)})`;
    // Clean up whatever a call that should have failed started.
    if (Array.isArray(result))
      await Promise.all(result.map((h: { stop?: () => Promise<unknown> }) => h.stop?.()));
    if (result instanceof Master || result instanceof Worker) await result.close().catch(() => undefined);
  } catch (error) {
    if (!isClustrError(error))
      problem = `threw ${error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error)}`;
    else if (!error.message.toLowerCase().includes(call.mentions.toLowerCase())) {
      problem = `${error.code} does not mention "${call.mentions}": ${error.message}`;
    }
  }
  outcomes.push({ ...call, problem });
}

async function runBadApi(
  fig: Figure,
  transport: Transport,
  transportCases: [string, () => unknown, string][],
  connections?: () => Promise<number>,
) {
  await using cluster = await RelCluster.start(transport);
  const childrenBefore = ownChildren();
  const connectionsBefore = await connections?.();
  const outcomes: Outcome[] = [];
  for (const [label, specs, mentions] of SPAWN_CASES) {
    await attempt(
      outcomes,
      { api: 'spawn', label, mentions },
      () => cluster.master.spawn(specs as never), // wrong on purpose, as a JS caller may write it
    );
  }
  for (const [label, channel, data, mentions] of PUBLISH_CASES) {
    await attempt(outcomes, { api: 'publish', label, mentions }, () =>
      cluster.master.publish(channel as string, data),
    );
  }
  for (const [label, workerId, code, mentions] of KILL_CASES) {
    await attempt(outcomes, { api: 'killWorker', label, mentions }, () =>
      cluster.master.killWorker(workerId as string, code as number),
    );
  }
  for (const [label, kind, options, mentions] of CREATE_CASES) {
    await attempt(outcomes, { api: 'create', label, mentions }, () =>
      kind === 'worker' ? Worker.create(options as { group: string }) : Master.create(options as object),
    );
  }
  for (const [label, create, mentions] of transportCases)
    await attempt(outcomes, { api: 'create', label, mentions }, create);

  const started = ownChildren().filter((pid) => !childrenBefore.includes(pid));
  const connectionsAfter = await connections?.();
  const leftChildren = cluster.master.children.length;
  // The master still works: a good spawn runs and answers.
  const [worker] = await cluster.spawn('after', 1);
  await cluster.probe([worker!], 'all the bad calls');
  const failed = outcomes.filter((o) => o.problem !== undefined);
  const byApi = (api: BadCall['api']) =>
    `${api} ${outcomes.filter((o) => o.api === api && o.problem === undefined).length}/${outcomes.filter((o) => o.api === api).length}`;
  fig.set(
    `${outcomes.length - failed.length}/${outcomes.length} invalid calls rejected with a ClustrError naming the problem ` +
      `(${byApi('spawn')}, ${byApi('publish')}, ${byApi('create')}, ${byApi('killWorker')}); ` +
      `${started.length} processes started, ${leftChildren} handles left` +
      (connections
        ? `, ${(connectionsAfter ?? 0) - (connectionsBefore ?? 0)} redis connections opened`
        : '') +
      `; master works afterwards` +
      (failed.length > 0
        ? `; FAILED: ${failed.map((o) => `${o.api} ${o.label} → ${o.problem}`).join(' | ')}`
        : ''),
    { outcomes },
  );
  expect(failed.map((o) => `${o.api} ${o.label} → ${o.problem}`)).toEqual([]);
  expect(started).toEqual([]);
  expect(leftChildren).toBe(0);
  expect(connectionsAfter).toBe(connectionsBefore);
}

describe('bad api input', () => {
  describe('ipc', () => {
    const fig = new Figure('bad api ipc');
    printFigureAfterAll(fig);
    it('every wrong option gets a clear ClustrError; nothing half-started', () =>
      measuring(fig, () =>
        runBadApi(fig, createIpcTransport(), [
          ['createIpcTransport("x")', () => createIpcTransport('x' as never), 'options'],
          ['maxQueueBytes: -1', () => createIpcTransport({ maxQueueBytes: -1 }), 'maxQueueBytes'],
          [
            'maxQueueBytes: "1mb"',
            () => createIpcTransport({ maxQueueBytes: '1mb' as never }),
            'maxQueueBytes',
          ],
          // Gone since the link handshake: an unknown option, refused like any other.
          ['parent: true', () => createIpcTransport({ parent: true } as never), 'parent'],
          ['maxFrameBytes: 10', () => createIpcTransport({ maxFrameBytes: 10 }), 'maxFrameBytes'],
          [
            'maxBatchBytes > maxFrameBytes',
            () => createIpcTransport({ maxFrameBytes: 1024, maxBatchBytes: 4096 }),
            'maxBatchBytes',
          ],
          ['ackTimeoutMs: 0', () => createIpcTransport({ ackTimeoutMs: 0 }), 'ackTimeoutMs'],
          ['closeTimeoutMs: -1', () => createIpcTransport({ closeTimeoutMs: -1 }), 'closeTimeoutMs'],
        ]),
      ));
  });

  describe('redis', () => {
    const fig = new Figure('bad api redis');
    printFigureAfterAll(fig);
    it('every wrong option gets a clear ClustrError; nothing half-started, no connection opened', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        const connections = async () =>
          (await redis.cli('CLIENT', 'LIST')).split('\n').filter((l) => l.includes('id=')).length;
        await runBadApi(
          fig,
          createRedisTransport({ url: redis.url, namespace: 'relapi' }),
          [
            ['options: null', () => createRedisTransport(null as never), 'options'],
            ['url: http://', () => createRedisTransport({ url: 'http://127.0.0.1:6379' }), 'url'],
            ['url: a number', () => createRedisTransport({ url: 6379 as never }), 'url'],
            [
              'namespace: with a space',
              () => createRedisTransport({ url: redis.url, namespace: 'a b' }),
              'namespace',
            ],
            ['namespace: empty', () => createRedisTransport({ url: redis.url, namespace: '' }), 'namespace'],
            [
              'reconnectInitialDelayMs: 0',
              () => createRedisTransport({ url: redis.url, reconnectInitialDelayMs: 0 }),
              'reconnectInitialDelayMs',
            ],
            [
              'reconnectMaxDelayMs < initial',
              () =>
                createRedisTransport({
                  url: redis.url,
                  reconnectInitialDelayMs: 100,
                  reconnectMaxDelayMs: 10,
                }),
              'reconnectMaxDelayMs',
            ],
            [
              'maxQueuedMessages: "5"',
              () => createRedisTransport({ url: redis.url, maxQueuedMessages: '5' as never }),
              'maxQueuedMessages',
            ],
            [
              'connectTimeoutMs: -1',
              () => createRedisTransport({ url: redis.url, connectTimeoutMs: -1 }),
              'connectTimeoutMs',
            ],
            [
              'clientName: with a space',
              () => createRedisTransport({ url: redis.url, clientName: 'a b' }),
              'clientName',
            ],
            [
              'maxPayloadBytes: 1.5',
              () => createRedisTransport({ url: redis.url, maxPayloadBytes: 1.5 }),
              'maxPayloadBytes',
            ],
            ['tls: 5', () => createRedisTransport({ url: redis.url, tls: 5 as never }), 'tls'],
          ],
          connections,
        );
      }));
  });
});
