import { type ChildProcess, fork, type Serializable } from 'node:child_process';
import { once } from 'node:events';
import type { RunContext } from './measurement.js';

/** Options of {@link forkChild}. */
export interface ForkOptions {
  /** Node flags of the child. @default [] (plain node) */
  execArgv?: readonly string[];
  /** Leave the child where the OS put it, even when the run is pinned. @default false */
  isUnplaced?: boolean;
}

/**
 * `child_process.fork` with `serialization: 'json'` (Node's own IPC, as a user of raw fork
 * gets it). The child is SIGKILLed at the end of the run whatever happens.
 */
export function forkChild(
  context: RunContext,
  file: string,
  args: readonly string[],
  options: ForkOptions = {},
): ChildProcess {
  const child = fork(file, [...args], {
    execArgv: [...(options.execArgv ?? [])],
    serialization: 'json',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  context.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exit = once(child, 'exit');
    child.kill('SIGKILL');
    await exit;
  });
  if (!options.isUnplaced) context.placement.placeChild(child.pid);
  return child;
}

/** Resolves with the first IPC message of `child` that `accept` takes; rejects if the child exits first. */
export function nextMessage<T>(
  context: RunContext,
  child: ChildProcess,
  accept: (message: unknown) => T | undefined,
  what: string,
): Promise<T> {
  let onMessage: ((message: unknown) => void) | undefined;
  let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  const result = new Promise<T>((resolve, reject) => {
    onMessage = (message) => {
      const value = accept(message);
      if (value !== undefined) resolve(value);
    };
    onExit = (code, signal) =>
      reject(new Error(`child ${child.pid} exited (${signal ?? code}) before ${what}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  return context.wait(result, what).finally(() => {
    if (onMessage !== undefined) child.off('message', onMessage);
    if (onExit !== undefined) child.off('exit', onExit);
  });
}

/** Field `key` of a message object, when it is a number. */
export function numberField(message: unknown, key: string): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const value = (message as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

/** A sender that honours `send()`'s backpressure signal. */
export type SendFunction = (message: Serializable, callback?: (error: Error | null) => void) => boolean;

/**
 * Sends through `send` respecting backpressure: once `send` returned false (about 128 KiB
 * queued), the next message goes with a callback, and the returned promise resolves when it
 * (and so everything queued before it) has been written. Returns undefined when not blocked.
 */
export class BackpressuredSender {
  #isBlocked = false;
  readonly #send: SendFunction;

  constructor(send: SendFunction) {
    this.#send = send;
  }

  send(message: Serializable): Promise<void> | undefined {
    if (!this.#isBlocked) {
      this.#isBlocked = !this.#send(message);
      return undefined;
    }
    this.#isBlocked = false;
    return new Promise((resolve, reject) => {
      this.#send(message, (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** `true` for a `{ready: true}` message, else undefined (an `accept` for {@link nextMessage}). */
export function readyFlag(message: unknown): true | undefined {
  return typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === true
    ? true
    : undefined;
}
