import { afterEach, describe, expect, it } from 'vitest';
import {
  descendantsOf,
  field,
  fixture,
  isAlive,
  nextMessage,
  spawn,
  stopAll,
  TSX_EXEC_ARGV,
  waitUntil,
} from './helpers.js';

afterEach(stopAll);

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
