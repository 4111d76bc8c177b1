import { describe, expect, it } from 'vitest';
import { isSameMap, nodeUrl, parseClusterSlots } from './cluster-topology.js';

describe('nodeUrl', () => {
  it("keeps the root URL's scheme, user and password, at the announced host and port", () => {
    expect(nodeUrl('rediss://app:pw@10.0.0.5:7000', '10.0.0.6', 7001)).toBe('rediss://app:pw@10.0.0.6:7001');
    expect(nodeUrl('redis://127.0.0.1:7000', '::1', 7002)).toBe('redis://[::1]:7002');
  });
});

describe('parseClusterSlots', () => {
  const reply = [
    [0, 5460, ['127.0.0.1', 7000, 'a'], ['127.0.0.1', 7003, 'd']],
    [5461, 10922, ['', 7001, 'b']],
    [10923, 16383, ['127.0.0.1', 7002, 'c']],
  ];

  it('maps every slot to its primary; a node announced without a host is where the answer came from', () => {
    const map = parseClusterSlots(reply, 'redis://u:p@127.0.0.1:7000', 'redis://u:p@10.1.1.1:7001');
    expect(map.primaries).toEqual([
      'redis://u:p@127.0.0.1:7000',
      'redis://u:p@10.1.1.1:7001',
      'redis://u:p@127.0.0.1:7002',
    ]);
    expect([map.owners[0], map.owners[5460], map.owners[5461], map.owners[16383]]).toEqual([
      'redis://u:p@127.0.0.1:7000',
      'redis://u:p@127.0.0.1:7000',
      'redis://u:p@10.1.1.1:7001',
      'redis://u:p@127.0.0.1:7002',
    ]);
  });

  it('leaves unserved slots undefined, and tells maps apart by their routing', () => {
    const partial = parseClusterSlots([reply[0]], 'redis://127.0.0.1:7000', 'redis://127.0.0.1:7000');
    expect(partial.owners[5461]).toBeUndefined();
    const full = parseClusterSlots(reply, 'redis://127.0.0.1:7000', 'redis://127.0.0.1:7000');
    expect(
      isSameMap(full, parseClusterSlots(reply, 'redis://127.0.0.1:7000', 'redis://127.0.0.1:7000')),
    ).toBe(true);
    expect(isSameMap(full, partial)).toBe(false);
    expect(isSameMap(undefined, full)).toBe(false);
  });

  it('refuses a reply that is not an array, naming it', () => {
    expect(() => parseClusterSlots('ERR', 'redis://a:1', 'redis://a:1')).toThrow(
      'CLUSTER SLOTS answered ERR',
    );
  });
});
