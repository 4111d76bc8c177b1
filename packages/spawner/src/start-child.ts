import { type ChildProcess, spawn } from 'node:child_process';
import type { TransportDescriptor } from '@clustr/protocol';
import { tasksetPath } from './cpu-affinity.js';
import { CHILD_CHANNEL_FD, CHILD_LINK_FD, CLUSTR_ENV, WITHHELD_ENV } from './defaults.js';
import { withWatchParentPreload } from './node-exec-argv.js';
import { holdParentWatch, isParentWatchSupported, withParentWatch } from './parent-watch-shim.js';
import type { NormalizedSpawnSpec } from './spawn-spec.js';

/** Who a child is and how it reaches its cluster. */
export interface ChildIdentity {
  readonly workerId: string;
  readonly parentId: string;
  readonly transport: TransportDescriptor | Promise<TransportDescriptor>;
  /** What the parent's clustr process hands down in each welcome (`welcome.process`). */
  readonly handDown?: Readonly<Record<string, unknown>>;
}

/** True when a spec's child runs under the parent-watch shim (see `parent-watch-shim.ts`). */
function isShimmed(spec: NormalizedSpawnSpec): boolean {
  return spec.command !== undefined && isParentWatchSupported();
}

/**
 * The program and arguments a spec runs: `[taskset -c <cpu>] node <execArgv + preload> <file>
 * [args]`, or with `command` `[taskset -c <cpu>] sh -c <shim> clustr-watch <command> <file> [args]`
 * (the shim `exec`s the command: the pid stays the worker's).
 */
export function commandLine(spec: NormalizedSpawnSpec): { program: string; args: string[] } {
  const run =
    spec.command === undefined
      ? [process.execPath, ...withWatchParentPreload(spec.execArgv), spec.file, ...spec.args]
      : [spec.command, spec.file, ...spec.args];
  const watched = isShimmed(spec) ? withParentWatch(run) : run;
  if (spec.cpu !== undefined) {
    // Validation made sure taskset exists; taskset execs the program, so the pid is the worker's.
    const taskset = tasksetPath() ?? 'taskset';
    return { program: taskset, args: ['-c', String(spec.cpu), ...watched] };
  }
  const [program, ...args] = watched as [string, ...string[]];
  return { program, args };
}

/**
 * The child's environment: the parent's, the spec's, then the spawner's own variables — its
 * workerId, its parent and its two fds, no secret: the transport reaches it over its link, and
 * `CLUSTR_SECRET` (`WITHHELD_ENV`) is taken out of what it inherits (validation refuses it in
 * `spec.env`).
 */
export function childEnvironment(spec: NormalizedSpawnSpec, identity: ChildIdentity): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const name of WITHHELD_ENV) delete inherited[name];
  return {
    ...inherited,
    ...spec.env,
    [CLUSTR_ENV.workerId]: identity.workerId,
    [CLUSTR_ENV.parentId]: identity.parentId,
    [CLUSTR_ENV.linkFd]: String(CHILD_LINK_FD),
    NODE_CHANNEL_FD: String(CHILD_CHANNEL_FD),
    NODE_CHANNEL_SERIALIZATION_MODE: 'json',
  };
}

/**
 * Starts one run of a spec. fd 3 and fd 4 are plain duplex pipes (socket pairs), not Node's
 * `'ipc'`: the parent parses their lines itself, so garbage from a non-Node child cannot crash
 * it. fd 3 is the child's Node IPC channel (`NODE_CHANNEL_FD=3`: `process.send` works as
 * usual), fd 4 its clustr link (`CLUSTR_LINK_FD=4`). Non-Node children get their own process
 * group so that stopping them also ends what they started, and run under the shim, whose watch
 * (on fd 5, closed before the command runs) ends that group when the parent dies or the child
 * exits.
 */
export function startChild(spec: NormalizedSpawnSpec, identity: ChildIdentity): ChildProcess {
  const { program, args } = commandLine(spec);
  const output = spec.stdio;
  const shimmed = isShimmed(spec);
  const child = spawn(program, args, {
    cwd: spec.cwd,
    env: childEnvironment(spec, identity),
    stdio: ['inherit', output, output, 'pipe', 'pipe', ...(shimmed ? (['pipe'] as const) : [])],
    detached: spec.command !== undefined,
    windowsHide: true,
  });
  if (shimmed) holdParentWatch(child);
  return child;
}
