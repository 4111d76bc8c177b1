import { setImmediate as nextTurn } from 'node:timers/promises';
import { type ClustrError, encodeData, encodeMeta } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { createRedisTransport } from '../src/index.js';
import { clientIds, eventually } from './eventually.js';
import { redisForFile } from './file-redis.js';
import { record } from './recorder.js';

const file = redisForFile({ reconnectInitialDelayMs: 20 });
const meta = encodeMeta({ workerId: 'w1', group: 'web' });
const lossReports = (errors: readonly ClustrError[]) =>
  errors.filter((error) => error.code === 'ERR_CLUSTR_MESSAGES_LOST');
const sumOf = (reports: readonly ClustrError[]) =>
  reports.reduce((sum, error) => sum + (error.details?.count as number), 0);

describe('loss you can see', () => {
  it('reports exactly the messages a subscriber missed while Redis had cut it off (CLIENT KILL mid-stream)', async () => {
    const sender = file.transport('loss');
    const receiver = file.transport('loss');
    const seen = record(receiver);
    await Promise.all([
      sender.connect({ workerId: 'w1', group: 'web' }),
      receiver.connect({ workerId: 'r1', group: 'web' }),
    ]);
    await receiver.subscribe('public');
    let sent = 0;
    const burst = async (turns: number) => {
      for (let t = 0; t < turns; t++) {
        for (let i = 0; i < 20; i++) sender.publish('public', meta, encodeData(sent++));
        await nextTurn();
      }
    };
    await burst(20);
    const [subscriberId] = clientIds(await file.server.cli('CLIENT', 'LIST'), 'loss:web:r1:sub');
    expect(subscriberId).toBeDefined();
    await file.server.cli('CLIENT', 'KILL', 'ID', subscriberId as string);
    // The stream goes on while the receiver is cut off and after it is back.
    while (receiver.stats().reconnects === 0) await burst(5);
    await burst(20);
    sender.publish('public', meta, '"fin"');
    await eventually(() => seen.messages.some((m) => m.envelope.data === 'fin'), 'the fin at the receiver');
    const got = seen.messages.map((m) => m.envelope.data).filter((data) => data !== 'fin') as number[];
    const missing = sent - got.length;
    expect(missing).toBeGreaterThan(0);
    expect(new Set(got).size).toBe(got.length);
    expect(receiver.stats().missed).toBe(missing);
    await receiver.close();
    const reports = lossReports(seen.errors);
    expect(sumOf(reports)).toBe(missing);
    // One report for the episode (one gap): the sender and the channel named.
    expect(reports).toHaveLength(1);
    expect(reports[0]?.details).toMatchObject({ channel: 'loss:public', count: missing });
    expect(reports[0]?.message).toMatch(
      /messages of sender [\w-]{12} on redis channel "loss:public" never arrived/,
    );
    expect(sender.stats().missed).toBe(0);
  });

  it('reports nothing in a clean run, nor when a sender restarts (a new incarnation numbers from 1)', async () => {
    const receiver = file.transport('restart');
    const seen = record(receiver);
    await receiver.connect({ group: 'master' });
    await receiver.subscribe('public');
    for (let life = 0; life < 3; life++) {
      const sender = createRedisTransport({ url: file.server.url, namespace: 'restart' });
      await sender.connect({ workerId: 'w1', group: 'web' });
      for (let i = 0; i < 50; i++) sender.publish('public', meta, encodeData(life * 100 + i));
      await nextTurn();
      sender.publish('public', meta, encodeData(life * 100 + 50));
      await seen.waitForMessages((life + 1) * 51, `the messages of the sender's life ${life + 1}`);
      await sender.close();
    }
    // A process that never numbers (another language) is not checked at all.
    await file.server.cli('PUBLISH', 'restart:public', '{"meta":{"group":"ops"},"data":"unnumbered"}');
    await seen.waitForMessages(154, 'the unnumbered message');
    expect(receiver.stats().missed).toBe(0);
    await receiver.close();
    expect(lossReports(seen.errors)).toEqual([]);
  });
});
