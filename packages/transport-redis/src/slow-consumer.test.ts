import { ClustrError } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { serverUnreachableError } from './health-check.js';
import { explainSubscriberLoss } from './slow-consumer.js';

const TIMING = { intervalMs: 1000, timeoutMs: 2000 };
const closed = new ClustrError(
  'ERR_CLUSTR_TRANSPORT',
  'redis subscriber lost the connection: Socket closed unexpectedly',
);

// The branches that decide without asking the server; the INFO-based ones run against a real
// redis-server in test/redis-faults.int.test.ts and the reliability suite.
describe('explainSubscriberLoss', () => {
  it('keeps the health check’s own diagnosis: an unreachable server is not a slow consumer', async () => {
    const unreachable = serverUnreachableError('redis subscriber lost the connection', 'sub', 2001, TIMING);
    const { error } = await explainSubscriberLoss(undefined, 3, unreachable);
    expect(error).toBe(unreachable);
  });

  it('names the partition, not a slow consumer, when the publisher found the server unreachable first', async () => {
    const partition = serverUnreachableError('redis publisher lost the connection', 'pub', 2001, TIMING);
    const { error } = await explainSubscriberLoss(undefined, 3, closed, partition);
    expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(error.details).toMatchObject({ reason: 'after-partition', role: 'sub' });
    expect(error.message).toMatch(/after the server was unreachable from this process .*not a slow consumer/);
    expect(error.cause).toBe(closed);
  });

  it('leaves the loss as it is when there is no publisher to ask', async () => {
    expect((await explainSubscriberLoss(undefined, 3, closed)).error).toBe(closed);
  });
});
