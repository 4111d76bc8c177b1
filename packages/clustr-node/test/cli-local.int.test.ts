// The `clustr` command against local IPC clusters: real masters in child processes, the built
// bin, a private XDG_RUNTIME_DIR per file so that no other test's masters show up.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Member } from '@clustr/core';
import { eventually } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clustr, FixtureCluster } from './cli-harness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** One line of the Prometheus text format: HELP, TYPE or a sample with its labels. */
const EXPOSITION_LINE =
  /^(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge)|[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\} -?\d+(\.\d+)?(e[+-]?\d+)?)$/;

describe('clustr against local clusters', () => {
  let runtime: string;
  let env: NodeJS.ProcessEnv;
  let shop: FixtureCluster;

  beforeAll(async () => {
    runtime = await mkdtemp(join(tmpdir(), 'clustr-cli-'));
    env = { XDG_RUNTIME_DIR: runtime };
    shop = await FixtureCluster.start(env);
  }, 40_000);

  afterAll(async () => {
    await shop?.stop();
    await rm(runtime, { recursive: true, force: true });
  });

  it('ps --json lists every member of the tree, the grandchild and the bash child included', async () => {
    const { code, stdout, stderr } = await clustr(['ps', '--json'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const members = JSON.parse(stdout) as Member[];
    expect(members.map((m) => m.id).sort()).toEqual([...shop.members].sort());
    const byGroup = (group: string) => members.find((m) => m.group === group)!;
    const master = byGroup('master');
    expect(master).toMatchObject({ workerId: 'master', pid: shop.pid, state: 'ready' });
    expect(byGroup('cache').parentId).toBe(master.id);
    expect(byGroup('shard').parentId).toBe(byGroup('cache').id);
    expect(byGroup('bash')).toMatchObject({ command: 'bash', parentId: master.id });
    expect(members.filter((m) => m.group === 'web').map((m) => m.cpu)).toContain(0);
    expect(byGroup('shard').stats?.rss).toBeGreaterThan(0);
  });

  it('ps draws the cluster as a tree, one row per member', async () => {
    const { code, stdout } = await clustr(['ps'], env);
    expect(code).toBe(0);
    const [headline, header, ...rows] = stdout.trimEnd().split('\n');
    expect(headline).toMatch(
      new RegExp(`^cluster shop · master pid ${shop.pid} on .+ · ipc · 6 members · up \\S+$`),
    );
    expect(header).toMatch(
      /^ID +GROUP +HOST +PID +CPU +STATE +UPTIME +RESTARTS +RSS +%CPU +IN\/S +OUT\/S +QUEUED$/,
    );
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/^master +master /);
    expect(rows.find((row) => row.includes(' shard '))).toMatch(/^│ {2}└─ [0-9a-f]{8} +shard /);
    expect(rows.filter((row) => /^[├└]─ /.test(row))).toHaveLength(4);
  });

  it('keeps the control socket 0600 in a 0700 directory of this user', async () => {
    const dir = join(runtime, 'clustr');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual([`${shop.pid}-1.sock`]);
    expect((await stat(join(dir, `${shop.pid}-1.sock`))).mode & 0o777).toBe(0o600);
  });

  it('metrics prints one series per member in the Prometheus exposition format', async () => {
    const { code, stdout } = await clustr(['metrics'], env);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((line) => !EXPOSITION_LINE.test(line))).toEqual([]);
    const up = lines.filter((line) => line.startsWith('clustr_member_up{'));
    expect(up.map((line) => /id="([^"]+)"/.exec(line)![1]).sort()).toEqual([...shop.members].sort());
    expect(lines).toContain('# TYPE clustr_member_messages_in_total counter');
  });

  it('publish reaches the workers of a group; kill by group makes them exit with the code', async () => {
    const nonce = Math.random();
    const published = await clustr(['publish', 'web', JSON.stringify({ nonce })], env);
    expect(published).toMatchObject({ code: 0, stdout: 'published to web\n' });
    await shop.waitFor(
      () =>
        new Set(
          shop.events
            .filter((e) => e.event === 'got' && (e.got as { nonce?: number }).nonce === nonce)
            .map((e) => e.by),
        ).size === 2,
      'both web workers to forward the published message to the master',
    );
    const killed = await clustr(['kill', 'cache', '3'], env);
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/^told [0-9a-f]{8} \(cache, pid \d+\) to exit with code 3\n$/);
    const cacheId = shop.members.find((id) => killed.stdout.includes(id.slice(0, 8)))!;
    await shop.waitFor(
      (e) => e.event === 'exit' && e.workerId === cacheId && e.code === 3,
      'the cache worker to exit with code 3',
    );
  });

  it('reload replaces the workers of a group one at a time, keeping their ids and pins', async () => {
    const before = JSON.parse((await clustr(['ps', '--json'], env)).stdout) as Member[];
    const web = before.filter((m) => m.group === 'web');
    const reloaded = await clustr(['reload', 'web'], env);
    expect(reloaded.stderr).toBe('');
    expect(reloaded.code).toBe(0);
    const lines = reloaded.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`reloading the workers of web of cluster shop (master pid ${shop.pid})…`);
    for (const member of web) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^  ${member.workerId.slice(0, 8)} \\(web\\) pid ${member.pid} → \\d+, ready in \\d+ ms$`,
          ),
        ),
      );
    }
    expect(lines.at(-1)).toMatch(/^reloaded 2 worker\(s\) in \d+\.\d s$/);
    // The master saw each old incarnation leave for a reload, never for an exit.
    for (const member of web) {
      await shop.waitFor(
        (e) => e.event === 'leave' && e.id === member.id && (e.reason as { kind: string }).kind === 'reload',
        `the master's presence replacing ${member.id}`,
      );
    }
    expect(shop.events.some((e) => e.event === 'exit' && web.some((m) => m.workerId === e.workerId))).toBe(
      false,
    );
    await eventually(async () => {
      const after = JSON.parse((await clustr(['ps', '--json'], env)).stdout) as Member[];
      return web.every((old) => {
        const now = after.find((m) => m.id === old.id);
        return (
          now !== undefined && now.pid !== old.pid && now.restarts === old.restarts + 1 && now.cpu === old.cpu
        );
      });
    }, 'ps showing both web workers with new pids, one more restart and the same pins');
  });

  it('SIGHUP to the master reloads every worker it spawned: the bash child and the cache with its shard too', async () => {
    const before = JSON.parse((await clustr(['ps', '--json'], env)).stdout) as Member[];
    const children = before.filter((m) => m.parentId === before.find((x) => x.workerId === 'master')!.id);
    process.kill(shop.pid, 'SIGHUP');
    await eventually(
      async () => {
        const after = JSON.parse((await clustr(['ps', '--json'], env)).stdout) as Member[];
        return children.every((old) => {
          const now = after.find((m) => m.id === old.id);
          return now !== undefined && now.pid !== old.pid && now.state === 'ready';
        });
      },
      `ps showing the master's ${children.length} children with new pids`,
      30_000,
    );
    // The cache worker's new incarnation spawned a new shard; the old shard went with the old cache.
    const oldShards = new Set(before.filter((m) => m.group === 'shard').map((m) => m.id));
    await eventually(async () => {
      const after = JSON.parse((await clustr(['ps', '--json'], env)).stdout) as Member[];
      const shards = after.filter((m) => m.group === 'shard');
      return shards.length === 1 && !oldShards.has(shards[0]!.id);
    }, 'ps listing one shard, a new one: the old one left with the old cache');
    expect(shop.child.exitCode).toBe(null);
  });

  it('lists several clusters, picks one by --name or --pid, and removes a dead master’s socket', async () => {
    const jobs = await FixtureCluster.start({ ...env, CLUSTER_NAME: 'jobs', SMALL: '1' });
    try {
      const listed = await clustr(['ps'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`^${shop.pid} +shop +\\d+ +\\S+ +ipc$`, 'm'));
      expect(listed.stdout).toMatch(new RegExp(`^${jobs.pid} +jobs +3 +\\S+ +ipc$`, 'm'));
      const byName = JSON.parse((await clustr(['ps', '--json', '--name', 'jobs'], env)).stdout) as Member[];
      expect(byName.map((m) => m.id).sort()).toEqual([...jobs.members].sort());
      const byPid = JSON.parse(
        (await clustr(['ps', '--json', '--pid', String(jobs.pid)], env)).stdout,
      ) as Member[];
      expect(byPid).toHaveLength(3);
    } finally {
      jobs.child.kill('SIGKILL');
      await once(jobs.child, 'exit');
    }
    const stale = join(runtime, 'clustr', `${jobs.pid}-1.sock`);
    expect(existsSync(stale)).toBe(true);
    // The only live cluster is shown directly, and the dead one's socket is gone.
    const { code, stdout } = await clustr(['ps', '--json'], env);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Member[]).find((m) => m.workerId === 'master')?.pid).toBe(shop.pid);
    expect(existsSync(stale)).toBe(false);
  });

  it('never keeps a master alive: one that does not close ends by itself with a client connected', async () => {
    const script = `import(${JSON.stringify(pathToFileURL(join(here, '..', 'dist', 'index.js')).href)}).then(async ({ Master }) => {
      const master = Master.create({ name: 'brief' });
      await master.ready();
      process.stdin.once('data', () => process.stdin.destroy());
      console.log('ready');
    })`;
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
    });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    const path = join(runtime, 'clustr', `${child.pid}-1.sock`);
    await eventually(() => existsSync(path), `the socket of master ${child.pid}`);
    const client = connect(path);
    // The master ending resets the connection: expected here, not a failure.
    client.on('error', () => undefined);
    client.write('{"op":"info"}\n');
    expect(JSON.parse(String((await once(client, 'data'))[0]))).toMatchObject({
      ok: true,
      info: { name: 'brief' },
    });
    // Its stdin was all that held it: released, the master ends by itself, the client still connected.
    child.stdin.write('go\n');
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    expect(existsSync(path)).toBe(false);
    client.destroy();
  });

  it('exits 1 with one line on stderr when the target is not there, 2 for a wrong command line', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'clustr-none-'));
    const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [['ps', '--pid', '999999'], env, 1, /^clustr: no clustr master with pid 999999 /],
      [['top', '--name', 'nope'], env, 1, /^clustr: no clustr cluster named "nope" /],
      [
        ['ps'],
        { XDG_RUNTIME_DIR: empty },
        1,
        /^clustr: no clustr cluster of this user runs on this machine /,
      ],
      [
        ['metrics', '--redis', 'redis://127.0.0.1:1'],
        env,
        1,
        /^clustr: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
      ],
      [['kill'], env, 2, /^clustr: usage: clustr kill /],
      [['reload', 'web', 'cache'], env, 2, /^clustr: usage: clustr reload \[group\]/],
      [['reload', '--redis', 'redis://127.0.0.1:1'], env, 2, /^clustr: reload asks a local master/],
      [['publish', 'web', '{oops'], env, 2, /^clustr: the message must be JSON/],
      [['kill', 'no-such-group'], env, 1, /^clustr: no worker or group "no-such-group"/],
    ];
    try {
      for (const [args, runEnv, exitCode, line] of cases) {
        const result = await clustr(args, runEnv);
        expect({ args, code: result.code, stdout: result.stdout }).toEqual({
          args,
          code: exitCode,
          stdout: '',
        });
        expect(result.stderr).toMatch(line);
        expect(result.stderr.split('\n')).toHaveLength(2);
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
