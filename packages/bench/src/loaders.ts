import { fileURLToPath } from 'node:url';

/** Absolute URL of tsx's ESM loader, so children find it from any cwd. */
export const TSX_LOADER = import.meta.resolve('tsx');

/** Node flags that run a TypeScript child against the workspace sources. */
export const TSX_EXEC_ARGV: readonly string[] = ['--import', TSX_LOADER, '--conditions=@clustr/source'];

/**
 * `BENCH_CPU_PROF_DIR=<dir>`: clustr workers also run with `--cpu-prof` into that folder (a
 * profile is written when a worker exits normally, i.e. on `master.close()`).
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;

/** Node flags of a spawned clustr worker. */
export const CLUSTR_WORKER_EXEC_ARGV: readonly string[] =
  PROFILE_DIR === undefined
    ? TSX_EXEC_ARGV
    : [...TSX_EXEC_ARGV, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];

/** Absolute path of a program in src/children/. */
export function childFile(name: string): string {
  return fileURLToPath(new URL(`./children/${name}`, import.meta.url));
}
