import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, clusterSlot } from './cluster-slot.js';

describe('clusterSlot', () => {
  // Values from the Redis Cluster specification and `CLUSTER KEYSLOT` on redis-server 7.0.
  it.each([
    ['123456789', 12739],
    ['foo', 12182],
    ['{user1000}.following', 3443],
    ['{user1000}.followers', 3443],
    ['foo{}{bar}', 8363],
    ['foo{{bar}}zap', 4015],
    ['foo{bar}{zap}', 5061],
    ['', 0],
  ])('%j is in slot %i', (channel, slot) => {
    expect(clusterSlot(channel)).toBe(slot);
  });

  it('always answers a slot of the cluster, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (channel) => {
        const slot = clusterSlot(channel);
        return Number.isInteger(slot) && slot >= 0 && slot < CLUSTER_SLOTS;
      }),
    );
  });
});
