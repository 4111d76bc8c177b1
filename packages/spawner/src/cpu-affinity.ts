import { accessSync, constants, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

let tasksetCache: { path: string | undefined; found: string | undefined } | undefined;

/** The number of cores this machine has; `cpu` may be 0 to this minus 1. */
export function machineCoreCount(): number {
  return Math.max(1, cpus().length);
}

/**
 * Finds an executable on `pathEnv` (a `PATH` value); a name with a `/` is resolved against `cwd`.
 * Returns its absolute path or undefined.
 */
export function findExecutable(
  name: string,
  pathEnv: string | undefined = process.env.PATH,
  cwd = process.cwd(),
): string | undefined {
  if (name.includes('/')) {
    const candidate = isAbsolute(name) ? name : resolve(cwd, name);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Why CPU pinning cannot work here, or undefined when it can: it needs Linux and a `taskset`
 * on `PATH`. The lookup is cached per `PATH` value.
 */
export function affinityUnsupportedReason(
  platform: NodeJS.Platform = process.platform,
  pathEnv: string | undefined = process.env.PATH,
): string | undefined {
  if (platform !== 'linux') return `the platform is ${platform}, and CPU pinning with taskset needs linux`;
  return tasksetPath(pathEnv) === undefined
    ? 'taskset was not found on PATH (install util-linux)'
    : undefined;
}

/** The absolute path of `taskset` on `pathEnv`, or undefined. */
export function tasksetPath(pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (tasksetCache === undefined || tasksetCache.path !== pathEnv) {
    tasksetCache = { path: pathEnv, found: findExecutable('taskset', pathEnv) };
  }
  return tasksetCache.found;
}
