import type { Member } from '@clustr/core';
import type { MemberView } from '@clustr/core/internal';
import { describe, expect, it } from 'vitest';
import { resolveKill } from './commands.js';
import { formatBytes, formatDuration, formatRate } from './format.js';
import { memberRows, renderTable } from './member-table.js';

const NOW = 1_800_000_000_000;
const id = (n: number) => `${String(n).repeat(8)}-0000-4000-8000-000000000000`;

function member(over: Partial<MemberView> & { id: string; group: string }): MemberView {
  return {
    workerId: over.id,
    host: 'h1',
    pid: 100,
    command: 'node',
    file: 'w.js',
    startedAt: NOW - 65_000,
    restarts: 0,
    state: 'ready',
    ...over,
  };
}

const stats = (rss: number, cpuPercent: number) => ({
  rss,
  cpuPercent,
  eventLoopDelayP99Ms: 1,
  messagesIn: 0,
  messagesOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  queuedBytes: 0,
  errors: 0,
});

const master = member({
  id: 'master@h1:100',
  workerId: 'master',
  group: 'master',
  stats: stats(50 << 20, 1),
});
const web = member({ id: id(1), group: 'web', parentId: master.id, cpu: 0, stats: stats(40 << 20, 9) });
const cache = member({ id: id(2), group: 'cache', parentId: master.id, stats: stats(60 << 20, 2) });
const shard = member({
  id: id(3),
  group: 'shard',
  parentId: cache.id,
  stats: stats(30 << 20, 3),
  rates: { messagesInPerSec: 12.4, messagesOutPerSec: 0.5, bytesInPerSec: 0, bytesOutPerSec: 0 },
});

describe('the member table', () => {
  it('draws the tree: roots, then each parent’s children, with their branches', () => {
    const lines = renderTable(memberRows({ members: [shard, web, cache, master], left: [] }, undefined, NOW));
    expect(lines).toEqual([
      'ID              GROUP   HOST  PID  CPU  STATE  UPTIME  RESTARTS    RSS  %CPU  IN/S  OUT/S  QUEUED',
      'master          master  h1    100  -    ready  1m05s          0  50.0M   1.0     -      -      0B',
      '├─ 22222222     cache   h1    100  -    ready  1m05s          0  60.0M   2.0     -      -      0B',
      '│  └─ 33333333  shard   h1    100  -    ready  1m05s          0  30.0M   3.0    12    0.5      0B',
      '└─ 11111111     web     h1    100  0    ready  1m05s          0  40.0M   9.0     -      -      0B',
    ]);
  });

  it('orders siblings by the key of top, and keeps a member that left, with its reason', () => {
    const left = [
      { member: shard, reason: { kind: 'exit' as const, code: 3, signal: null }, leftAt: NOW - 1_000 },
    ];
    const byCpu = memberRows({ members: [master, web, cache], left }, 'cpu', NOW);
    expect(byCpu.map((row) => row.cells[0])).toEqual([
      'master',
      '├─ 11111111',
      '└─ 22222222',
      '   └─ 33333333',
    ]);
    expect(byCpu.map((row) => row.hasLeft)).toEqual([false, false, false, true]);
    expect(byCpu[3]!.cells[5]).toBe('left: exit 3');
    const byMemory = memberRows({ members: [master, web, cache], left: [] }, 'memory', NOW);
    expect(byMemory.map((row) => row.cells[0])).toEqual(['master', '├─ 22222222', '└─ 11111111']);
  });

  it('shows members whose parents are unknown, or on a loop of parentIds, as roots, each once', () => {
    const a = member({ id: id(4), group: 'a', parentId: id(5) });
    const b = member({ id: id(5), group: 'b', parentId: id(4) });
    const orphan = member({ id: id(6), group: 'c', parentId: 'gone' });
    const rows = memberRows({ members: [a, b, orphan], left: [] }, undefined, NOW);
    expect(rows.map((row) => row.cells[0])).toEqual(['66666666', '44444444', '└─ 55555555']);
  });

  it('names masters by their ids when there are several', () => {
    const other = member({ id: 'master@h2:7', workerId: 'master', group: 'master', host: 'h2' });
    const rows = memberRows({ members: [master, other], left: [] }, undefined, NOW);
    expect(rows.map((row) => row.cells[0]).sort()).toEqual(['master@h1:100', 'master@h2:7']);
  });
});

describe('formats', () => {
  it('reads as a person would', () => {
    expect([0, 1023, 1536, 5 * 2 ** 30].map(formatBytes)).toEqual(['0B', '1023B', '1.5K', '5.0G']);
    expect(
      [0, 59_999, 61_000, 3_600_000 * 3 + 60_000 * 12, 86_400_000 * 2 + 3_600_000 * 4].map(formatDuration),
    ).toEqual(['0s', '59s', '1m01s', '3h12m', '2d04h']);
    expect([undefined, 0, 0.25, 12.6, 34_567].map(formatRate)).toEqual(['-', '0', '0.3', '13', '34.6k']);
  });
});

describe('resolveKill', () => {
  const members: Member[] = [master, web, cache, shard, member({ id: id(7), group: 'web' })];

  it('takes a workerId, a group (every worker of it) or a unique prefix of 4 characters or more', () => {
    expect(resolveKill(members, id(2)).map((m) => m.id)).toEqual([id(2)]);
    expect(resolveKill(members, 'web').map((m) => m.id)).toEqual([id(1), id(7)]);
    expect(resolveKill(members, '3333').map((m) => m.id)).toEqual([id(3)]);
  });

  it('refuses what matches nothing, a master, or several by prefix', () => {
    expect(() => resolveKill(members, 'nope')).toThrow(/no worker or group "nope"/);
    expect(() => resolveKill(members, 'master')).toThrow(/a master has no kill channel/);
    expect(() => resolveKill(members, '333')).toThrow(/no worker or group/);
    const twins = [member({ id: 'abcd1-x', group: 'g' }), member({ id: 'abcd2-y', group: 'g' })];
    expect(() => resolveKill(twins, 'abcd')).toThrow(/starts 2 workerIds/);
  });
});
