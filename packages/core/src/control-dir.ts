import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ClustrError } from '@clustr/protocol';

/** The name of a master's control socket: its pid, and its rank among the masters of its process. */
const SOCKET_NAME = /^([1-9]\d{0,9})-([1-9]\d{0,5})\.sock$/;

/** What every copy of the core in a process counts, so two masters of one process never share a name. */
const SEQUENCE = Symbol.for('clustr.controlSocketSequence');

/**
 * The directory of this user's control sockets: `$XDG_RUNTIME_DIR/clustr` when that is set (a
 * per-user tmpfs on systemd machines), else `<os temp dir>/clustr-<uid>`.
 */
export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && isAbsolute(runtime)) return join(runtime, 'clustr');
  return join(tmpdir(), `clustr-${process.getuid?.() ?? 0}`);
}

/** The file name of the next master's socket in this process: `<pid>-<n>.sock`. */
export function nextSocketName(): string {
  const counters = globalThis as { [SEQUENCE]?: number };
  counters[SEQUENCE] = (counters[SEQUENCE] ?? 0) + 1;
  return `${process.pid}-${counters[SEQUENCE]}.sock`;
}

/** The master pid a socket's file name holds, or undefined for a file that is not a control socket. */
export function socketPid(fileName: string): number | undefined {
  const match = SOCKET_NAME.exec(fileName);
  return match === null ? undefined : Number(match[1]);
}

function forbidden(dir: string, why: string): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_FORBIDDEN',
    `control directory ${dir} ${why}: refusing to use it (it must be a directory of uid ${process.getuid?.()} that no one else may write)`,
    { details: { dir } },
  );
}

/** A directory a reader may trust: a real directory (not a link) of this user that nobody else may write. */
function assertPrivate(dir: string, stats: Stats): void {
  if (!stats.isDirectory()) throw forbidden(dir, 'is not a directory (or is a symbolic link)');
  if (stats.uid !== process.getuid?.()) throw forbidden(dir, `belongs to uid ${stats.uid}`);
  if ((stats.mode & 0o022) !== 0) {
    throw forbidden(dir, `may be written by others (mode ${(stats.mode & 0o777).toString(8)})`);
  }
}

/**
 * Checks that `dir` is a real directory of this user that nobody else may write, so that a
 * socket found there is a master of this user, not one planted by another. `missing` when it
 * does not exist.
 * @throws ClustrError `ERR_CLUSTR_FORBIDDEN`
 */
export async function checkControlDir(dir: string): Promise<'ok' | 'missing'> {
  try {
    assertPrivate(dir, await lstat(dir));
    return 'ok';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * Creates `dir` with mode 0700 when missing and narrows one of this user to 0700 (a 0755 one is
 * readable, never writable, by others); refuses one of another user, a link, or one that others
 * may write (they could have put a socket in it).
 * @throws ClustrError `ERR_CLUSTR_FORBIDDEN`
 */
export async function prepareControlDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stats = await lstat(dir);
  assertPrivate(dir, stats);
  if ((stats.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
