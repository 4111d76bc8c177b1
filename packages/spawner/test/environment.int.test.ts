import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { field, fixture, groupMembers, nextMessage, spawn, stopAll, TSX_EXEC_ARGV } from './helpers.js';
import type { TreeReport } from './tree-shape.js';

const SECRET = 'do-not-leak-7f3a';

afterEach(async () => {
  delete process.env.CLUSTR_SECRET;
  await stopAll();
});

function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
}

describe('the environment of a child', () => {
  it("never holds the parent's CLUSTR_SECRET: not a Node child's, not a bash child's nor what it started", async () => {
    process.env.CLUSTR_SECRET = SECRET;
    const [node, bash] = spawn([
      { file: fixture('node-worker.ts'), execArgv: TSX_EXEC_ARGV },
      { file: fixture('sleepers.sh'), command: 'bash' },
    ]);
    const reported = nextMessage(bash!, field<TreeReport>('report'), 'the bash worker to report');
    const hello = await nextMessage(node!, field<{ pid: number }>('hello'), 'the Node worker to say hello');
    await reported;
    // The bash worker, its sleeps and its watch.
    const pids = [hello.pid, ...groupMembers(bash!.pid!)];
    expect(pids.length).toBeGreaterThanOrEqual(5);
    for (const pid of pids) {
      const environ = environOf(pid);
      expect(environ).toContain('CLUSTR_LINK_FD=4');
      expect(environ.filter((entry) => entry.startsWith('CLUSTR_SECRET=') || entry.includes(SECRET))).toEqual(
        [],
      );
    }
  });
});
