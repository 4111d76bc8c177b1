// Packs every published package as npm would ship it and judges the tarball with publint (the
// package.json and export map) and attw (what TypeScript resolves under node10, node16 CJS,
// node16 ESM and bundler). Needs `pnpm build` first: a tarball holds only `dist`.
// Exits non-zero on the first package either tool rejects, after checking them all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const published = ['protocol', 'spawner', 'transport-ipc', 'transport-redis', 'core', 'clustr-node'];
const bin = (name) => join(root, 'node_modules', '.bin', name);

// node16, not strict: strict adds the node10 resolution (no `exports` support), which cannot see
// `@clustr/protocol/internal`; every Node we support (>= 20) and TypeScript's node16, nodenext
// and bundler resolutions read `exports`, and those are what node16 checks.
const ATTW_PROFILE = 'node16';

const out = mkdtempSync(join(tmpdir(), 'clustr-pack-'));
const failed = [];
try {
  for (const dir of published) {
    const cwd = join(root, 'packages', dir);
    const packed = execFileSync('pnpm', ['pack', '--pack-destination', out, '--json'], {
      cwd,
      encoding: 'utf8',
    });
    const { name, filename } = JSON.parse(packed);
    console.log(`\n== ${name} (${filename})`);
    for (const [tool, args] of [
      ['publint', ['run', filename, '--strict']],
      ['attw', [filename, '--profile', ATTW_PROFILE, '--format', 'table-flipped']],
    ]) {
      try {
        execFileSync(bin(tool), args, { stdio: 'inherit' });
      } catch {
        failed.push(`${name}: ${tool}`);
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

if (failed.length > 0) {
  console.error(`\ncheck:packages failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\ncheck:packages: every published package passes publint and attw');
