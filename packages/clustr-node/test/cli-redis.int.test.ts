// The `clustr` command against a Redis namespace holding two clusters (two masters in two
// processes), on a redis-server of its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Member } from '@clustr/core';
import type { MemberView } from '@clustr/core/internal';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clustr, FixtureCluster } from './cli-harness.js';

describe('clustr against a Redis namespace', () => {
  let redis: RedisServer;
  let runtime: string;
  let clusters: FixtureCluster[] = [];
  let target: string[];

  beforeAll(async () => {
    redis = await startRedisServer();
    runtime = await mkdtemp(join(tmpdir(), 'clustr-cli-redis-'));
    const env = { XDG_RUNTIME_DIR: runtime, REDIS_URL: redis.url, REDIS_NAMESPACE: 'cli', SMALL: '1' };
    clusters = await Promise.all([
      FixtureCluster.start({ ...env, CLUSTER_NAME: 'east' }),
      FixtureCluster.start({ ...env, CLUSTER_NAME: 'west' }),
    ]);
    target = ['--redis', redis.url, '--namespace', 'cli'];
  }, 40_000);

  afterAll(async () => {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
    await redis?.stop();
    await rm(runtime, { recursive: true, force: true });
  });

  it('ps --json shows the members of both masters, with their rates', async () => {
    const { code, stdout, stderr } = await clustr(['ps', '--json', ...target], {});
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const members = JSON.parse(stdout) as MemberView[];
    const everyone = clusters.flatMap((cluster) => cluster.members);
    expect(members.map((m) => m.id).sort()).toEqual(everyone.sort());
    expect(
      members
        .filter((m) => m.workerId === 'master')
        .map((m) => m.pid)
        .sort(),
    ).toEqual(clusters.map((cluster) => cluster.pid).sort());
    // Two hellos half a second apart: every member answered twice.
    expect(members.filter((m) => m.rates === undefined).map((m) => m.id)).toEqual([]);
  });

  it('ps shows one tree per master, masters by their ids', async () => {
    const { code, stdout } = await clustr(['ps', ...target], {});
    expect(code).toBe(0);
    const [headline, , ...rows] = stdout.trimEnd().split('\n');
    expect(headline).toBe(`namespace "cli" on ${redis.url} · 6 members`);
    expect(rows.filter((row) => row.startsWith('master@'))).toHaveLength(2);
    expect(rows.filter((row) => /^[├└]─ [0-9a-f]{8} +web /.test(row))).toHaveLength(4);
  });

  it('kills a worker as a member would, and never shows itself as a member', async () => {
    const [east] = clusters;
    const victim = east!.members.find((id) => !id.startsWith('master@'))!;
    const { code, stdout } = await clustr(['kill', victim.slice(0, 8), '5', ...target], {});
    expect(code).toBe(0);
    expect(stdout).toContain(`told ${victim.slice(0, 8)} (web, pid`);
    await east!.waitFor(
      (e) => e.event === 'exit' && e.workerId === victim && e.code === 5,
      'the worker to exit with 5',
    );
    const joined = clusters.flatMap((cluster) => cluster.events).filter((e) => e.event === 'join');
    expect(joined.filter((e) => e.group === 'clustr')).toEqual([]);
  });

  it('metrics covers the namespace', async () => {
    const { code, stdout } = await clustr(['metrics', ...target], {});
    expect(code).toBe(0);
    const up = stdout.split('\n').filter((line) => line.startsWith('clustr_member_up{'));
    expect(up.length).toBeGreaterThanOrEqual(6);
  });

  it('exits 1 with one line for an empty namespace, or a secret it cannot use', async () => {
    const empty = await clustr(['ps', '--redis', redis.url, '--namespace', 'nobody'], {});
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(
      /^clustr: no clustr member answered in namespace "nobody" on redis:\/\/[^\n]+\n$/,
    );
    const secretFile = join(runtime, 'secret');
    await writeFile(secretFile, 'not-the-namespace-secret-0123456789abcdef\n', { mode: 0o600 });
    // Until the transport signs frames it says so; after, the unsigned frames fail the check.
    const signed = await clustr(['ps', ...target, '--secret-file', secretFile], {});
    expect(signed.code).toBe(1);
    expect(signed.stderr).toMatch(/^clustr: [^\n]*secret[^\n]*\n$/);
    expect(signed.stderr).not.toContain('not-the-namespace-secret');
  });

  it('needs no member table entry: the members the masters list stay their own', async () => {
    const [east] = clusters;
    const listed = await clustr(['ps', '--json', '--name', 'east'], { XDG_RUNTIME_DIR: runtime });
    const members = JSON.parse(listed.stdout) as Member[];
    expect(members.some((m) => m.group === 'clustr')).toBe(false);
    expect(members.some((m) => m.pid === east!.pid)).toBe(true);
  });
});
