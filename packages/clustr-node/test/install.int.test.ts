// Proof that installing works: pack every package as npm would publish it, install the tarballs
// into an empty project with plain npm, and run a small cluster there from ESM, CommonJS and
// TypeScript (tsx), and over Redis with @clustr/transport-redis added; and the installed `clustr`
// command.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RedisServer, startRedisServer } from '@clustr-internal/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', '..');
const PACKAGES = ['protocol', 'spawner', 'transport-ipc', 'transport-redis', 'core', 'clustr-node'];
const CLUSTER_TIMEOUT_MS = 30_000;

describe('installing the packed tarballs with npm', () => {
  let project: string;
  let redis: RedisServer;

  beforeAll(async () => {
    // The tarballs hold dist/: build first (a turbo cache hit when CI already built), so this
    // test also runs alone, e.g. `pnpm --filter clustr-node test` on a fresh clone.
    await run('pnpm', ['run', 'build'], { cwd: join(packagesDir, '..'), timeout: 170_000 });
    project = await mkdtemp(join(tmpdir(), 'clustr-install-'));
    const tarballs = join(project, 'tarballs');
    for (const name of PACKAGES) {
      await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(packagesDir, name) });
    }
    const packed = (await readdir(tarballs)).map((file) => join(tarballs, file));
    expect(packed).toHaveLength(PACKAGES.length);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'install-check', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...packed,
        'tsx@^4',
        'typescript@~5.9',
        '@types/node@^20',
      ],
      { cwd: project, timeout: 170_000 },
    );
    await cp(join(here, 'install-fixtures'), project, { recursive: true });
    redis = await startRedisServer();
  }, 180_000);

  afterAll(async () => {
    await redis?.stop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  async function cluster(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    const { stdout } = await run(command, args, {
      cwd: project,
      timeout: CLUSTER_TIMEOUT_MS,
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
    });
    return stdout;
  }

  it('runs a cluster from an ESM file and ends by itself', async () => {
    expect(await cluster('node', ['master.mjs'])).toContain(
      'confirmed by 2 workers of group worker over ipc',
    );
  });

  it('runs a cluster from a CommonJS file: require("clustr-node")', async () => {
    expect(await cluster('node', ['master.cjs'])).toContain(
      'confirmed by 2 workers of group worker over ipc',
    );
  });

  it('names its own bundle as the descriptor module, importing no other clustr package', async () => {
    const report = JSON.parse(await cluster('node', ['descriptor.mjs']));
    expect(report.module).toMatch(/\/node_modules\/clustr-node\/dist\/index\.js$/);
    expect(report.restores).toBe('function');
    expect(report.imports).toEqual([]);
    // Its inlined ClustrError and @clustr/protocol's are two classes that recognise each other.
    expect(report.crossCopy).toBe(true);
  });

  it('runs TypeScript workers under tsx, and the types check', async () => {
    expect(await cluster(join(project, 'node_modules', '.bin', 'tsx'), ['master.ts'])).toContain(
      'confirmed by 2 workers of group worker over ipc',
    );
    await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project });
  });

  it('installs the clustr command, which loads @clustr/transport-redis only for --redis', async () => {
    const bin = join(project, 'node_modules', '.bin', 'clustr');
    const runtime = await mkdtemp(join(tmpdir(), 'clustr-install-xdg-'));
    const lonely = await mkdtemp(join(tmpdir(), 'clustr-install-lonely-'));
    const env = { ...process.env, XDG_RUNTIME_DIR: runtime, NODE_OPTIONS: '' };
    const fails = (file: string, args: string[]) =>
      run(file, args, { cwd: project, env, timeout: CLUSTER_TIMEOUT_MS }).then(
        () => expect.fail(`clustr ${args.join(' ')} should fail`),
        (error: { code: number; stderr: string }) => error,
      );
    try {
      expect((await run(bin, ['--help'], { env })).stdout).toContain('clustr ps [--json]');
      const none = await fails(bin, ['ps']);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^clustr: no clustr cluster of this user runs on this machine [^\n]*\n$/);
      // Installed next to it, the Redis transport is found: the namespace is reached, and empty.
      const empty = await fails(bin, ['ps', '--redis', redis.url, '--namespace', 'nobody']);
      expect(empty.stderr).toMatch(/^clustr: no clustr member answered in namespace "nobody"/);
      // A copy of the command where no @clustr/transport-redis can be found says so in one line.
      await cp(join(project, 'node_modules', 'clustr-node', 'dist', 'cli.js'), join(lonely, 'cli.mjs'));
      const missing = await fails('node', [join(lonely, 'cli.mjs'), 'ps', '--redis', redis.url]);
      expect(missing.stderr).toBe(
        'clustr: --redis needs @clustr/transport-redis: npm install @clustr/transport-redis\n',
      );
    } finally {
      await rm(runtime, { recursive: true, force: true });
      await rm(lonely, { recursive: true, force: true });
    }
  });

  it('runs the same cluster over Redis with @clustr/transport-redis added', async () => {
    expect(await cluster('node', ['master.mjs'], { REDIS_URL: redis.url })).toContain(
      'confirmed by 2 workers of group worker over redis',
    );
  });
});
