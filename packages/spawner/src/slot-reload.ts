import type { ChildProcess } from 'node:child_process';
import { ClustrError } from '@clustr/protocol';
import {
  checkDuration,
  encodeControlFrame,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';
import type { ChildLinkImpl } from './child-link.js';
import type { ExitInfo } from './restart-backoff.js';
import type { ReloadResult } from './worker-handle.js';

/** The default of `readyTimeoutMs`: how long a new incarnation may take to get ready. */
export const DEFAULT_RELOAD_READY_TIMEOUT_MS = 30_000;

const RETIRE = `${encodeControlFrame({ clustr: 1, type: 'retire' })}\n`;

/** A run as a reload sees it. */
export interface ReloadedRun {
  readonly child: ChildProcess;
  readonly link: ChildLinkImpl | undefined;
}

/** What a reload needs of its slot. */
export interface ReloadHost<R extends ReloadedRun> {
  readonly workerId: string;
  /** The spec's file, to name the worker in errors. */
  readonly file: string;
  /** The spec's grace between a signal and SIGKILL. */
  readonly stopTimeoutMs: number;
  /** True for a child run with `command`: signals go to its process group. */
  readonly isForeign: boolean;
  /** The live run when it is ready and no reload is under way; else why not. */
  current(): R | string;
  /** Starts the successor; `onReady` hears its ready signal. Undefined when its start threw. */
  startSuccessor(onReady: (run: R) => void): R | undefined;
  /** True while `run` is the slot's successor (not yet handed over, not dropped). */
  isSuccessor(run: R): boolean;
  /** Makes the successor the live run. */
  handOver(run: R): void;
  /** The successor failed: the slot forgets it. */
  dropSuccessor(run: R): void;
  signal(run: R, signal: NodeJS.Signals): void;
}

/**
 * Checks `reload()`'s options.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function checkReloadOptions(options: unknown): {
  readyTimeoutMs: number;
  whenReady: ((pid: number) => Promise<void>) | undefined;
} {
  if (options === undefined) return { readyTimeoutMs: DEFAULT_RELOAD_READY_TIMEOUT_MS, whenReady: undefined };
  if (!isOptionsObject(options)) throw invalidOptionError('reload options', options, 'an object or nothing');
  refuseUnknownKeys(options, ['readyTimeoutMs', 'whenReady'], 'reload option');
  const { whenReady } = options;
  if (whenReady !== undefined && typeof whenReady !== 'function')
    throw invalidOptionError('reload option "whenReady"', whenReady, 'a function returning a promise');
  return {
    readyTimeoutMs: checkDuration(
      'reload option "readyTimeoutMs"',
      options.readyTimeoutMs,
      DEFAULT_RELOAD_READY_TIMEOUT_MS,
      1,
    ),
    whenReady: whenReady as ((pid: number) => Promise<void>) | undefined,
  };
}

/** Resolves with a run's exit once its child exited and its link (if any) has closed. */
function exitOf(run: ReloadedRun): Promise<ExitInfo> {
  const { child, link } = run;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve<ExitInfo>({ code: child.exitCode, signal: child.signalCode })
      : new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed =
    link === undefined || link.isClosed
      ? Promise.resolve()
      : new Promise<void>((resolve) => link.onClose(resolve));
  return Promise.all([exited, closed]).then(([info]) => info);
}

function failed(
  host: ReloadHost<ReloadedRun>,
  pid: number | undefined,
  why: string,
  cause?: unknown,
): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_RELOAD_FAILED',
    `worker ${host.workerId} (${host.file}): its new incarnation${pid === undefined ? '' : ` (pid ${pid})`} ${why}; the old one keeps running`,
    { details: { workerId: host.workerId, pid }, ...(cause === undefined ? {} : { cause }) },
  );
}

/**
 * A rolling reload of one slot: starts the successor next to the live run; once it is ready
 * (its ready signal, then `whenReady(pid)`, all within `readyTimeoutMs`) it takes over and the
 * old run is retired — told by a `retire` frame on its link (SIGTERM for a child without one),
 * SIGKILLed after `stopTimeoutMs` — and awaited. A successor that exits or is late is killed and
 * the old run stays: the promise rejects with `ERR_CLUSTR_RELOAD_FAILED`.
 */
export async function reloadSlot<R extends ReloadedRun>(
  host: ReloadHost<R>,
  options: unknown,
): Promise<ReloadResult> {
  const { readyTimeoutMs, whenReady } = checkReloadOptions(options);
  const old = host.current();
  if (typeof old === 'string') throw failed(host, undefined, `was not started: ${old}`);
  const startedAt = performance.now();
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const next = host.startSuccessor(() => onReady());
  if (next === undefined) throw failed(host, undefined, 'could not be started');
  const ended = exitOf(next).then((info) => {
    const how = info.signal === null ? `exit code ${info.code}` : `signal ${info.signal}`;
    throw failed(host, next.child.pid, `exited before it was ready (${how})`);
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(failed(host, next.child.pid, `was not ready within readyTimeoutMs (${readyTimeoutMs} ms)`)),
      readyTimeoutMs,
    );
  });
  try {
    await Promise.race([ready, ended, late]);
    if (whenReady !== undefined) await Promise.race([whenReady(next.child.pid!), ended, late]);
    if (!host.isSuccessor(next))
      throw failed(host, next.child.pid, 'was dropped: the worker was stopped or its old incarnation ended');
  } catch (error) {
    host.dropSuccessor(next);
    host.signal(next, 'SIGKILL');
    await exitOf(next);
    throw error instanceof ClustrError ? error : failed(host, next.child.pid, 'failed', error);
  } finally {
    clearTimeout(timer);
    ended.catch(() => undefined);
  }
  const readyMs = performance.now() - startedAt;
  host.handOver(next);
  const retiredAt = performance.now();
  const previousPid = old.child.pid;
  if (old.link !== undefined && !old.link.isClosed && !host.isForeign) old.link.write(RETIRE);
  else host.signal(old, 'SIGTERM');
  const kill = setTimeout(() => host.signal(old, 'SIGKILL'), host.stopTimeoutMs);
  const previousExit = await exitOf(old);
  clearTimeout(kill);
  return {
    workerId: host.workerId,
    pid: next.child.pid!,
    previousPid: previousPid!,
    previousExit,
    readyMs,
    retireMs: performance.now() - retiredAt,
  };
}
