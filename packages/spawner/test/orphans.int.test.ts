import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commandLineOf,
  descendantsOf,
  field,
  fixture,
  isAlive,
  markedProcesses,
  nextEvent,
  nextMessage,
  spawn,
  stopAll,
  TSX_EXEC_ARGV,
  waitUntil,
} from './helpers.js';
import { reportedPids, SUBTREE_MARK, TREE_MARK, type TreeReport, type TreeShape } from './tree-shape.js';

/** What the brief promises: every process of a dead parent's tree is gone within this. */
const ORPHAN_DEADLINE_MS = 1_000;
const masters: ChildProcess[] = [];

afterEach(async () => {
  for (const master of masters.splice(0))
    if (master.exitCode === null && master.signalCode === null) master.kill('SIGKILL');
  await stopAll();
});

/** Spawns a tree of tree-node fixtures and resolves with every pid below the root, the root included. */
async function spawnTree(args: string[]) {
  const [root] = spawn([{ file: fixture('tree-node.ts'), execArgv: TSX_EXEC_ARGV, args, restart: 'never' }]);
  const tree = await nextMessage(root!, field<number[]>('tree'), 'the tree to report its pids', 20_000);
  await root!.ready;
  return { root: root!, tree };
}

describe('no orphans', () => {
  it('every descendant is gone within 2 s after the parent is SIGKILLed', async () => {
    const { root, tree } = await spawnTree(['2', '2']);
    expect(tree).toHaveLength(7);
    // Every worker of the tree, plus helpers the runtime started (tsx's esbuild service).
    const descendants = [root.pid!, ...descendantsOf(root.pid!)];
    expect(descendants).toEqual(expect.arrayContaining(tree));
    process.kill(root.pid!, 'SIGKILL');
    expect(await root.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntil(
      () => descendants.every((pid) => !isAlive(pid)),
      `every descendant of the killed parent is gone (alive: ${descendants.filter(isAlive).join(', ')})`,
      2_000,
    );
  });

  it('a parent ends its bash children (and what they started) on SIGTERM', async () => {
    const { root, tree } = await spawnTree(['1', '1', 'bash']);
    const descendants = descendantsOf(root.pid!);
    // node child, bash child, and the bash child's own `sleep`.
    expect(descendants.length).toBeGreaterThanOrEqual(3);
    process.kill(root.pid!, 'SIGTERM');
    expect(await root.exited).toEqual({ code: null, signal: 'SIGTERM' });
    await waitUntil(
      () => [...tree, ...descendants].every((pid) => !isAlive(pid)),
      'every descendant is gone',
      2_000,
    );
  });

  it('a parent ends its bash children on a graceful exit', async () => {
    const { root, tree } = await spawnTree(['0', '0', 'bash']);
    const descendants = descendantsOf(root.pid!);
    expect(descendants.length).toBeGreaterThanOrEqual(2);
    root.send({ exit: 0 });
    expect(await root.exited).toEqual({ code: 0, signal: null });
    await waitUntil(
      () => [...tree, ...descendants].every((pid) => !isAlive(pid)),
      'every descendant is gone',
      2_000,
    );
  });
});

/**
 * Starts a mixed tree under a master of its own (a plain Node process the test forks, not a
 * clustr child: it has no parent watch), marked by a fresh value of `TREE_MARK`.
 */
async function startMaster(shape: TreeShape) {
  const mark = randomUUID();
  const master = fork(fixture('mixed-tree.ts'), [JSON.stringify(shape)], {
    execArgv: TSX_EXEC_ARGV,
    env: { ...process.env, [TREE_MARK]: mark },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  masters.push(master);
  const [message] = await nextEvent<[{ report?: TreeReport }]>(
    master,
    'message',
    'the mixed tree to report its pids',
    20_000,
  );
  return { master, report: message.report as TreeReport, mark };
}

/** The processes of a tree (or subtree) marked `name=value`, with the watches among them. */
function marked(name: string, value: string) {
  const pids = markedProcesses(name, value);
  const watches = pids.filter((pid) => commandLineOf(pid).includes('clustr-watch'));
  return { pids, watches };
}

/** Waits until no process is marked `name=value` any more, naming the survivors if some stay. */
async function allGone(name: string, value: string, what: string): Promise<void> {
  try {
    await waitUntil(() => markedProcesses(name, value).length === 0, what, ORPHAN_DEADLINE_MS);
  } catch (error) {
    const alive = markedProcesses(name, value).map((pid) => `${pid} ${commandLineOf(pid).slice(0, 60)}`);
    throw new Error(`${(error as Error).message}; still alive: ${alive.join(' | ')}`);
  }
}

const kinds = (report: TreeReport): string[] => [report.kind, ...report.children.flatMap(kinds)];

describe('no orphans of any kind', () => {
  it('a mixed tree (Node, bash with sleeps, node through command) leaves 0 processes within 1 s of its master SIGKILL', async () => {
    const shape = { nodes: [{ sleepers: 1 }], sleepers: 1, nodeCommands: [process.execPath] };
    const { master, report, mark } = await startMaster(shape);
    expect(kinds(report).sort()).toEqual(
      ['node', 'node', 'bash', 'sleep', 'sleep', 'bash', 'sleep', 'sleep', 'node-command'].sort(),
    );
    const before = marked(TREE_MARK, mark);
    expect(before.pids).toEqual(expect.arrayContaining(reportedPids(report)));
    // One watch per non-Node child: the two bash workers and the node run through `command`.
    expect(before.watches).toHaveLength(3);
    const exited = nextEvent(master, 'exit', 'the master to die');
    master.kill('SIGKILL');
    await exited;
    await allGone(TREE_MARK, mark, 'every process of the SIGKILLed master tree to be gone');
  });

  it('SIGKILL of a mid-tree Node worker ends its bash child and its sleeps within 1 s; the rest lives', async () => {
    const mid = randomUUID();
    const { report } = await startMaster({ nodes: [{ mark: mid, sleepers: 1 }], sleepers: 1 });
    const midNode = report.children.find((child) => child.kind === 'node')!;
    const bystander = report.children.find((child) => child.kind === 'bash')!;
    const subtree = marked(SUBTREE_MARK, mid);
    expect(subtree.pids).toEqual(expect.arrayContaining(reportedPids(midNode)));
    expect(subtree.watches).toHaveLength(1);
    process.kill(midNode.pid, 'SIGKILL');
    await allGone(
      SUBTREE_MARK,
      mid,
      'the killed worker, its bash child, its sleeps and its watch to be gone',
    );
    expect([report.pid, ...reportedPids(bystander)].filter((pid) => !isAlive(pid))).toEqual([]);
  });

  it('SIGHUP to a master ends its tree as SIGTERM does', async () => {
    const { master, mark } = await startMaster({ nodes: [{ sleepers: 1 }], sleepers: 1 });
    const exited = nextEvent<[number | null, NodeJS.Signals | null]>(master, 'exit', 'the master to die');
    master.kill('SIGHUP');
    // Its own death: the spawner re-raised the signal after it ended its bash children.
    expect(await exited).toEqual([null, 'SIGHUP']);
    await allGone(TREE_MARK, mark, 'every process of the hung-up master tree to be gone');
  });

  it("a Node program started with command: 'node' ends within 1 s of its parent SIGKILL", async () => {
    const mark = randomUUID();
    const [parent] = spawn([
      {
        file: fixture('mixed-tree.ts'),
        execArgv: TSX_EXEC_ARGV,
        args: [JSON.stringify({ nodeCommands: ['node'] })],
        env: { [TREE_MARK]: mark },
        restart: 'never',
      },
    ]);
    const report = await nextMessage(parent!, field<TreeReport>('report'), 'the parent to report', 20_000);
    const program = report.children[0]!;
    expect(program.kind).toBe('node-command');
    expect(commandLineOf(program.pid)).toMatch(/^node .*plain-node\.cjs$/);
    process.kill(parent!.pid!, 'SIGKILL');
    expect(await parent!.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await allGone(TREE_MARK, mark, "the parent's tree, the node program included, to be gone");
  });
});
