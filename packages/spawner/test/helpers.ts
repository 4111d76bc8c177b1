import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ChildLink, ClustrError } from '@clustr/protocol';
import { type SpawnContext, spawnWorkers, type WorkerHandle } from '@clustr/spawner';
import { eventually } from '@clustr-internal/test-utils';

/** Node options that let a child run the TypeScript fixtures against the workspace sources. */
export const TSX_EXEC_ARGV = [
  '--import',
  createRequire(import.meta.url).resolve('tsx'),
  '--conditions=@clustr/source',
];

/** Absolute path of a fixture. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A transport descriptor for children that do not rebuild a transport. */
export const TEST_TRANSPORT = {
  name: 'test',
  module: 'file:///nowhere/test-transport.js',
  options: { a: 1 },
};

/** What a test saw on the links it adopted. */
export interface Adopted {
  readonly links: ChildLink[];
  readonly frames: unknown[];
  readonly badInput: ClustrError[];
}

const started: WorkerHandle[] = [];

/** Spawns with a test context, remembering the handles so {@link stopAll} cleans them up. */
export function spawn(specs: unknown[], context: Partial<SpawnContext> = {}): WorkerHandle[] {
  const handles = spawnWorkers(specs, { parentId: 'master', transport: TEST_TRANSPORT, ...context });
  started.push(...handles);
  return handles;
}

/** Spawns with an `adopt` hook that records every link, frame and bad input. */
export function spawnAdopted(specs: unknown[]): { handles: WorkerHandle[]; adopted: Adopted } {
  const adopted: Adopted = { links: [], frames: [], badInput: [] };
  const handles = spawn(specs, {
    adopt(link) {
      adopted.links.push(link);
      link.onFrame((frame) => adopted.frames.push(frame));
      link.onBadInput((error) => adopted.badInput.push(error));
    },
  });
  return { handles, adopted };
}

/** Stops every handle the tests started (SIGKILL at once: cleanup, not behaviour under test). */
export async function stopAll(): Promise<void> {
  const handles = started.splice(0);
  await Promise.all(handles.map((handle) => handle.stop({ signal: 'SIGKILL', timeoutMs: 0 })));
}

/** Resolves with the arguments of the next `event`, or fails saying what was awaited. */
export function nextEvent<T extends unknown[]>(
  emitter: {
    once(event: string, listener: (...args: T) => void): unknown;
    off(event: string, listener: (...args: T) => void): unknown;
  },
  event: string,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** Resolves with the next message of `handle` that `accept` takes, or fails saying what was awaited. */
export function nextMessage<T>(
  handle: WorkerHandle,
  accept: (message: unknown) => T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (message: unknown) => {
      const value = accept(message);
      if (value === undefined) return;
      handle.off('message', listener);
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      handle.off('message', listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    handle.on('message', listener);
  });
}

/** Picks a key out of a message object. */
export function field<T>(key: string): (message: unknown) => T | undefined {
  return (message) =>
    typeof message === 'object' && message !== null && key in message
      ? ((message as Record<string, unknown>)[key] as T)
      : undefined;
}

/** Polls `condition` until it holds, failing after `timeoutMs` with what was awaited. */
export function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  return eventually(condition, what, timeoutMs);
}

function statOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/** True while `pid` is a living process (a zombie no longer runs anything). */
export function isAlive(pid: number): boolean {
  const stat = statOf(pid);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** The pids of the living processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat === undefined) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid && isAlive(Number(entry))) children.push(Number(entry));
  }
  return children;
}

/** Every living descendant of `pid`. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const children = childrenOf(queue.shift() as number);
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** `Cpus_allowed_list` of a process. */
export function cpusAllowed(pid: number): string | undefined {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
}

function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

function livingPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter(isAlive);
}

/**
 * The living processes whose initial environment holds `name=value`: a marker a test set in a
 * spec's `env`, inherited by everything below it — watches and `sleep`s included, whoever their
 * parent is now.
 */
export function markedProcesses(name: string, value: string): number[] {
  const marker = `${name}=${value}`;
  return livingPids().filter((pid) => environOf(pid).split('\0').includes(marker));
}

/** The living members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return livingPids().filter((pid) => {
    const stat = statOf(pid);
    return stat !== undefined && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
  });
}

/** The command line of a living process, its arguments joined by spaces. */
export function commandLineOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
}
