import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { ClustrError } from '@clustr/protocol';
import { ChildLinkImpl } from './child-link.js';
import { DEFAULT_MAX_BUFFERED_FRAMES } from './defaults.js';
import { trackForeignChild } from './foreign-children.js';
import type { ExitInfo } from './restart-backoff.js';
import type { NormalizedSpawnSpec } from './spawn-spec.js';
import { type ChildIdentity, startChild } from './start-child.js';

/** One child process of a slot; whether it is live or ready is the slot's state, not the run's. */
export interface Run {
  readonly child: ChildProcess;
  link: ChildLinkImpl | undefined;
  readonly startedAt: number;
  /** Hellos the child wrote: the first is answered, a second reported, later ones dropped. */
  hellos: number;
}

/** What the slot does with what a run's child and link tell. */
export interface RunHooks {
  /** Before anything of the run is told: the slot records it in its state. */
  record(run: Run): void;
  /** The link was made: the parent adopts it. */
  adopt(link: ChildLinkImpl): void;
  /** A handshake frame; true when the slot answered it. */
  control(run: Run, type: unknown): boolean;
  message(value: unknown): void;
  report(error: ClustrError): void;
  spawned(run: Run, pid: number): void;
  /** The child could not be created (`startFailed`) or never got a pid (`ended`). */
  startFailed(error: unknown): void;
  ended(run: Run, info: ExitInfo, spawnError?: Error): void;
  exited(run: Run, info: ExitInfo): void;
}

/**
 * Starts one run of a spec: its child, its link (fd 4, with the IPC channel on fd 3), and the
 * listeners that tell the slot what happens to it. Undefined when the start threw (told to
 * `startFailed` on the next tick).
 */
export function launchRun(
  spec: NormalizedSpawnSpec,
  identity: ChildIdentity,
  hooks: RunHooks,
): Run | undefined {
  let child: ChildProcess;
  try {
    child = startChild(spec, identity);
  } catch (error) {
    process.nextTick(() => hooks.startFailed(error));
    return undefined;
  }
  const channel = child.stdio[3] as Duplex | null | undefined;
  const socket = child.stdio[4] as Duplex | null | undefined;
  const run: Run = { child, link: undefined, startedAt: performance.now(), hellos: 0 };
  const limits = { maxLineBytes: spec.maxLineBytes, maxBufferedFrames: DEFAULT_MAX_BUFFERED_FRAMES };
  const link = socket
    ? new ChildLinkImpl(identity.workerId, child.pid, socket, channel ?? undefined, limits, {
        control: (frame) => hooks.control(run, frame.type),
        message: (value) => hooks.message(value),
        unhandledBadInput: (error) => hooks.report(error),
      })
    : undefined;
  run.link = link;
  hooks.record(run);
  if (spec.command !== undefined) trackForeignChild(child);
  if (link !== undefined) hooks.adopt(link);
  child.once('spawn', () => {
    if (child.pid !== undefined) hooks.spawned(run, child.pid);
  });
  child.on('error', (error) => {
    if (child.pid === undefined) hooks.ended(run, { code: null, signal: null }, error);
  });
  child.once('exit', (code, signal) => hooks.exited(run, { code, signal }));
  return run;
}
