// `clustr top` on a real terminal: run in a detached tmux session of a fixed size, its screen
// read with `tmux capture-pane`, keys sent with `tmux send-keys`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, clustr, FixtureCluster } from './cli-harness.js';

const run = promisify(execFile);

describe('clustr top in a terminal', () => {
  let runtime: string;
  let cluster: FixtureCluster;
  /** A tmux server of this test's own, so that nobody else's sessions are touched. */
  const server = `clustr-top-${process.pid}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', server, ...args]).then(({ stdout }) => stdout);
  const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'top');

  beforeAll(async () => {
    runtime = await mkdtemp(join(tmpdir(), 'clustr-top-'));
    cluster = await FixtureCluster.start({ XDG_RUNTIME_DIR: runtime, SMALL: '1' });
  }, 40_000);

  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await cluster?.stop();
    await rm(runtime, { recursive: true, force: true });
  });

  it('draws the members in place, sorts on c/m/r, greys out a member that left, and quits on q', async () => {
    const status = join(runtime, 'status');
    const command = `XDG_RUNTIME_DIR=${runtime} NODE_OPTIONS= ${process.execPath} ${CLI} top; echo "exit=$?" > ${status}`;
    await tmux('new-session', '-d', '-s', 'top', '-x', '150', '-y', '30', command);
    let first = '';
    await eventually(async () => {
      first = await screen();
      return first.includes('clustr top · cluster shop') && (first.match(/ web /g) ?? []).length === 2;
    }, 'top to draw the master and both web workers');
    expect(first).toMatch(/^ID +GROUP +HOST +PID/m);
    expect(first).toContain('by CPU');
    await eventually(async () => (await screen()) !== first, 'top to refresh its screen');

    await tmux('send-keys', '-t', 'top', 'm');
    await eventually(
      async () => (await screen()).includes('by memory'),
      'the sort to switch to memory on "m"',
    );
    await tmux('send-keys', '-t', 'top', 'r');
    await eventually(
      async () => (await screen()).includes('by message rate'),
      'the sort to switch to rate on "r"',
    );

    const victim = cluster.members.find((id) => !id.startsWith('master@'))!.slice(0, 8);
    expect((await clustr(['kill', victim], { XDG_RUNTIME_DIR: runtime })).code).toBe(0);
    let painted = '';
    await eventually(async () => {
      painted = await screen(true);
      return painted.includes('left: exit 0');
    }, 'the killed worker to show as left');
    const row = painted.split('\n').find((line) => line.includes(victim))!;
    // Dimmed (SGR 2), with its reason.
    expect(row.indexOf('\u001b[2m')).toBeGreaterThanOrEqual(0);
    expect(row.indexOf('\u001b[2m')).toBeLessThan(row.indexOf('left: exit 0'));

    await tmux('send-keys', '-t', 'top', 'q');
    await eventually(() => existsSync(status), 'top to exit after "q"');
    expect((await readFile(status, 'utf8')).trim()).toBe('exit=0');
  });

  it('prints plain tables one after the other when its output is not a terminal', async () => {
    const { code, stdout } = await clustr(['top', '--count', '2'], { XDG_RUNTIME_DIR: runtime });
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b');
    expect(stdout.match(/^clustr top · cluster shop/gm)).toHaveLength(2);
  });
});
