// Scenario 3 — master death: a tree of 20 processes, depth 3. SIGKILL a mid-tree worker: its
// descendants are gone within 2 s, the rest lives on. Then SIGKILL the master: every
// descendant is gone within 2 s (0 orphans).
import { type ChildProcess, fork } from 'node:child_process';
import { FIXTURE_EXEC_ARGV } from '@clustr-internal/conformance';
import { startRedisServer } from '@clustr-internal/test-utils';
import { describe, expect, it } from 'vitest';
import { Observer } from '../src/observer.js';
import { printFigureAfterAll } from '../src/print-figure.js';
import { descendantsOf, isAlive, waitGone } from '../src/proc-tree.js';
import { Figure, measuring } from '../src/report.js';
import { isTreeReport, TREE_MASTER, type TreeReport, type TreeSpec, treeSize } from '../src/tree.js';

/** master → 3 → 6 → 10: 20 processes, depth 3. */
const TREE: TreeSpec = [
  [
    [[], []],
    [[], []],
  ],
  [
    [[], []],
    [[], []],
  ],
  [[[]], [[]]],
];
const DEADLINE_MS = 2_000;

type NodeReport = Extract<TreeReport, { report: 'node' }>;

async function runMasterDeath(fig: Figure, kind: 'ipc' | 'redis', url: string): Promise<void> {
  const observer = new Observer();
  const nodes = new Map<string, NodeReport>();
  let masterPid: number | undefined;
  const child: ChildProcess = fork(TREE_MASTER, [kind, url, JSON.stringify(TREE)], {
    execArgv: [...FIXTURE_EXEC_ARGV],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (message) => {
    if (!isTreeReport(message)) return;
    if (message.report === 'master') masterPid = message.pid;
    else nodes.set(message.workerId, message);
    observer.notify();
  });
  const everyPid = new Set<number>();
  try {
    const size = treeSize(TREE);
    const startedAt = performance.now();
    await observer.until(
      () => (masterPid !== undefined && nodes.size === size ? true : undefined),
      `the master and all ${size} tree nodes to report`,
      90_000,
    );
    const spawnMs = performance.now() - startedAt;
    const depth = Math.max(...[...nodes.values()].map((n) => n.depth));
    for (const node of nodes.values()) everyPid.add(node.pid);

    // A mid-tree worker: depth 2, with two children of its own.
    const childrenOf = (pid: number) => [...nodes.values()].filter((n) => n.ppid === pid && isAlive(n.pid));
    const mid = [...nodes.values()].find((n) => n.depth === 2 && childrenOf(n.pid).length === 2)!;
    const midDescendants = [
      ...new Set([...childrenOf(mid.pid).map((n) => n.pid), ...descendantsOf(mid.pid)]),
    ];
    const bystanders = [...nodes.values()].filter(
      (n) => n.pid !== mid.pid && !midDescendants.includes(n.pid),
    );
    process.kill(mid.pid, 'SIGKILL');
    const midGone = await waitGone(midDescendants, DEADLINE_MS);
    const bystandersDead = bystanders.filter((n) => !isAlive(n.pid)).map((n) => n.pid);
    // Its parent restarts it (on-failure), and it spawns its children again.
    await observer.until(() => {
      const again = nodes.get(mid.workerId)!;
      return again.pid !== mid.pid && childrenOf(again.pid).length === 2 ? true : undefined;
    }, 'the restarted mid-tree worker and its 2 new children');
    for (const node of nodes.values()) everyPid.add(node.pid);

    // Every living tree node, plus whatever else descends from the master (e.g. tsx's esbuild service).
    const treePids = [...nodes.values()].map((n) => n.pid).filter(isAlive);
    const living = [...new Set([...treePids, ...descendantsOf(masterPid!)])];
    process.kill(masterPid!, 'SIGKILL');
    const masterGone = await waitGone(living, DEADLINE_MS);
    const leftover = [...everyPid].filter(isAlive);

    fig.set(
      `tree of ${size + 1} processes, depth ${depth} (started in ${(spawnMs / 1000).toFixed(1)} s); ` +
        `mid-tree SIGKILL: ${midDescendants.length - midGone.remaining.length}/${midDescendants.length} descendants gone in ` +
        `${Math.round(midGone.elapsedMs)} ms, ${bystanders.length - bystandersDead.length}/${bystanders.length} others alive, restarted; ` +
        `master SIGKILL: ${living.length - masterGone.remaining.length}/${living.length} descendants (${treePids.length} tree nodes) gone in ${Math.round(masterGone.elapsedMs)} ms, ` +
        `${leftover.length} orphans`,
      { midGone, masterGone, leftover, bystandersDead, spawnMs },
    );
    expect(depth).toBe(3);
    expect(size + 1).toBe(20);
    expect(midGone.remaining).toEqual([]);
    expect(bystandersDead).toEqual([]);
    expect(treePids.length).toBe(size);
    expect(masterGone.remaining).toEqual([]);
    expect(leftover).toEqual([]);
  } finally {
    for (const pid of [...everyPid, masterPid ?? 0])
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('master death', () => {
  describe('ipc', () => {
    const fig = new Figure('master death ipc');
    printFigureAfterAll(fig);
    it('leaves 0 orphans within 2 s, for the master and for a mid-tree worker', () =>
      measuring(fig, () => runMasterDeath(fig, 'ipc', '')));
  });

  describe('redis', () => {
    const fig = new Figure('master death redis');
    printFigureAfterAll(fig);
    it('leaves 0 orphans within 2 s, for the master and for a mid-tree worker', () =>
      measuring(fig, async () => {
        await using redis = await startRedisServer();
        await runMasterDeath(fig, 'redis', redis.url);
      }));
  });
});
