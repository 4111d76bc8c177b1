import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { FOREIGN_GROUP_KILL_GRACE_MS, PARENT_WATCH_FD } from './defaults.js';

/** The shell that runs the shim: POSIX, on every Unix at this path (dash on Debian, ~1 MB). */
const SHELL = '/bin/sh';
/** `$0` of the shim, so that `ps` says what the watch is. */
const SHIM_NAME = 'clustr-watch';

const fd = PARENT_WATCH_FD;
const grace = (FOREIGN_GROUP_KILL_GRACE_MS / 1000).toFixed(3);

/**
 * The shim, run as `sh -c SCRIPT clustr-watch <command> <file> [args]` in the child's new process
 * group (spawned `detached`). It forks the watch, then `exec`s the command: the pid, the exit
 * code and the signal the parent sees are the command's own, and fds 0-4 are untouched.
 *
 * The watch is a grandchild of the shim (the subshell between them exits at once), so the
 * command has no child it did not start: its `wait` never waits for the watch. It stays in the
 * group and ignores every signal the parent may send the group (`stop()` takes any signal; the
 * shutdown hooks send SIGTERM), so only SIGKILL ends it. It holds none of the command's fds — a
 * link or stdout pipe it held would never reach EOF — and reads, as its stdin, a pipe whose
 * other end only the parent holds and never writes to. That read returns EOF when the parent
 * closes its end (the command exited) or when the kernel does (the parent died: SIGKILL, OOM, a
 * crash, a hang-up). Then the watch sends SIGTERM to the group, waits the grace and sends
 * SIGKILL, which ends it too: the group outlives neither the parent nor the command. With no
 * `sleep` on the child's PATH the SIGKILL follows at once.
 */
const SCRIPT =
  `( (trap '' HUP INT QUIT TERM USR1 USR2 ALRM; exec <&${fd} ${fd}<&- >/dev/null 2>&1 3>&- 4>&-; ` +
  `while read -r _; do :; done; ` +
  `kill -s TERM 0; sleep ${grace}; kill -s KILL 0) & ); ` +
  `exec ${fd}<&- "$@"`;

/**
 * True where the shim runs: any Unix. On Windows a foreign child is started as it is (no
 * process groups there).
 */
export function isParentWatchSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'win32';
}

/** `run` (`[command, file, ...args]`) wrapped in the shim: the program and arguments to spawn. */
export function withParentWatch(run: readonly string[]): string[] {
  return [SHELL, '-c', SCRIPT, SHIM_NAME, ...run];
}

/**
 * Takes the parent's end of a shimmed child's watch pipe (`stdio[PARENT_WATCH_FD]`): unref'd, so
 * it never holds the parent's event loop, and closed when the child exits, so what the child
 * left in its group ends too. The kernel closes it when the parent dies.
 */
export function holdParentWatch(child: ChildProcess): void {
  const end = (child.stdio as readonly unknown[])[fd] as Socket | null | undefined;
  if (end == null) return;
  end.unref();
  // Nothing is ever written on it; an error (EPIPE after the watch died with the group) is moot.
  end.on('error', () => {});
  child.once('exit', () => end.destroy());
}
