import { describe, expect, it } from 'vitest';
import type { ConnectionPair } from './connection-pair.js';
import { createShardSubscriptions } from './shard-subscriptions.js';

/** A shard pair whose subscriber only writes down what it is asked, in order, into `log`. */
function fakePair(name: string, log: string[]): ConnectionPair {
  const subscriber = {
    subscribe: async (channel: string) => {
      log.push(`${name} +${channel}`);
    },
    unsubscribe: async (channel: string) => {
      await Promise.resolve();
      log.push(`${name} -${channel}`);
    },
  };
  return { subscriber } as unknown as ConnectionPair;
}

describe('createShardSubscriptions', () => {
  it('subscribes once per channel on its owner, after open, however often it is asked', async () => {
    const log: string[] = [];
    const a = fakePair('a', log);
    const subscriptions = createShardSubscriptions({ ownerOf: () => a, report: () => {} });
    const early = [subscriptions.subscribe('x'), subscriptions.subscribe('x')];
    expect(log).toEqual([]);
    await subscriptions.open();
    await Promise.all(early);
    expect(log).toEqual(['a +x']);
    await subscriptions.unsubscribe('x');
    expect(log).toEqual(['a +x']);
    await subscriptions.unsubscribe('x');
    expect(log).toEqual(['a +x', 'a -x']);
  });

  it('moves a channel whose owner changed: ended on the old node before it is made on the new one', async () => {
    const log: string[] = [];
    const [a, b] = [fakePair('a', log), fakePair('b', log)];
    let owner = a;
    const subscriptions = createShardSubscriptions({ ownerOf: () => owner, report: () => {} });
    await subscriptions.open();
    await subscriptions.subscribe('x');
    owner = b;
    await subscriptions.rehome();
    expect(log).toEqual(['a +x', 'a -x', 'b +x']);
    await subscriptions.rehome();
    expect(log).toHaveLength(3);
  });

  it('makes again on the same owner a channel its node dropped by itself', async () => {
    const log: string[] = [];
    const a = fakePair('a', log);
    const subscriptions = createShardSubscriptions({ ownerOf: () => a, report: () => {} });
    await subscriptions.open();
    await subscriptions.subscribe('x');
    subscriptions.lost('x');
    await subscriptions.rehome();
    expect(log).toEqual(['a +x', 'a -x', 'a +x']);
    expect(subscriptions.channels()).toEqual(['x']);
  });

  it('rejects waiting subscriptions with ERR_CLUSTR_CLOSED when closed before open', async () => {
    const subscriptions = createShardSubscriptions({ ownerOf: () => undefined, report: () => {} });
    const waiting = subscriptions.subscribe('x');
    subscriptions.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CLUSTR_CLOSED' });
    expect(subscriptions.channels()).toEqual([]);
  });
});
