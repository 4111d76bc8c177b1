import { ClustrError } from '@clustr/protocol';
import {
  checkDuration,
  checkPositiveInteger,
  invalidOptionError,
  isGroupName,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';
import type { ReloadResult, WorkerHandle } from '@clustr/spawner';
import type { Member } from './presence-types.js';

/** Options of `master.reload()`. */
export interface ReloadOptions {
  /**
   * Only the workers of this group.
   * @default every worker the master spawned
   */
  group?: string;
  /**
   * How many workers are replaced at a time. A group of n keeps its n ready members throughout
   * whatever the value: each old incarnation leaves only once its successor is ready.
   * @default 1
   */
  concurrency?: number;
  /**
   * How long a new incarnation may take to be ready (its `ready()` resolved and presence shows
   * it `ready`); past it the reload stops with `ERR_CLUSTR_RELOAD_FAILED`.
   * @default 30000
   */
  readyTimeoutMs?: number;
}

/** One worker a reload replaced. */
export interface ReplacedWorker extends ReloadResult {
  readonly group: string;
}

/** What `master.reload()` did. */
export interface ReloadSummary {
  /** The workers replaced, in the order they were. */
  readonly replaced: ReplacedWorker[];
  /** The workers of the reload's scope it did not replace (not running, or after a failure), with why. */
  readonly kept: { readonly workerId: string; readonly reason: string }[];
  /** From the call to the last old incarnation's exit. */
  readonly durationMs: number;
}

/** What a reload needs of its master. */
export interface ReloadHost {
  /** The children the master spawned. */
  children(): readonly WorkerHandle[];
  /** The master's member id: its children's records name it as their parent. */
  readonly selfId: string;
  get(id: string): Member | undefined;
  onJoin(handler: (member: Member) => void): () => void;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` */
function checkOptions(options: unknown): Required<Omit<ReloadOptions, 'group'>> & { group?: string } {
  if (options === undefined) options = {};
  if (!isOptionsObject(options)) throw invalidOptionError('reload options', options, 'an object or nothing');
  refuseUnknownKeys(options, ['group', 'concurrency', 'readyTimeoutMs'], 'reload option');
  const { group } = options;
  if (group !== undefined && !isGroupName(group))
    throw invalidOptionError('reload option "group"', group, 'a group name');
  return {
    ...(group === undefined ? {} : { group: group as string }),
    concurrency: checkPositiveInteger('reload option "concurrency"', options.concurrency, 1),
    readyTimeoutMs: checkDuration(
      'reload option "readyTimeoutMs"',
      options.readyTimeoutMs,
      DEFAULT_READY_TIMEOUT_MS,
      1,
    ),
  };
}

/** Resolves once presence shows the incarnation `pid` of `workerId` ready (bounded by the caller). */
function readyInPresence(host: ReloadHost, workerId: string, pid: number): Promise<void> {
  const isReady = () => {
    const member = host.get(workerId);
    return member !== undefined && member.pid === pid && member.state === 'ready';
  };
  if (isReady()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = host.onJoin(() => {
      if (!isReady()) return;
      off();
      resolve();
    });
  });
}

/**
 * A rolling reload, planned over presence: the master's running children (of `group`), as
 * presence lists them, are replaced `concurrency` at a time — each one's new incarnation
 * started, awaited until presence shows it ready, then the old one retired (its hooks hear
 * `{ kind: 'reload' }`). The first failure stops the plan: what was started finishes, nothing
 * more starts, and the failure (`ERR_CLUSTR_RELOAD_FAILED`, naming the worker) is thrown with
 * the summary so far in its details.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`, `ERR_CLUSTR_RELOAD_FAILED`
 */
export async function rollingReload(host: ReloadHost, options: unknown): Promise<ReloadSummary> {
  const { group, concurrency, readyTimeoutMs } = checkOptions(options);
  const startedAt = performance.now();
  const kept: { workerId: string; reason: string }[] = [];
  const plan: { handle: WorkerHandle; group: string; isForeign: boolean }[] = [];
  for (const handle of host.children()) {
    // Presence says which group a worker joined (its program chose it, not the spec).
    const member = host.get(handle.workerId);
    const joined = member?.parentId === host.selfId ? member.group : undefined;
    if (group !== undefined && joined !== group) {
      if (joined === undefined) kept.push({ workerId: handle.workerId, reason: 'not in presence yet' });
      continue;
    }
    // A child that is no clustr process (bash) is announced by this master: presence cannot
    // confirm its new incarnation, its ready signal (its spawn) is all there is.
    const isForeign = member !== undefined && member.command !== 'node';
    if (handle.state !== 'running') kept.push({ workerId: handle.workerId, reason: `it is ${handle.state}` });
    else plan.push({ handle, group: joined ?? '', isForeign });
  }
  const replaced: ReplacedWorker[] = [];
  let failure: unknown;
  const next = async (): Promise<void> => {
    for (let step = plan.shift(); step !== undefined && failure === undefined; step = plan.shift()) {
      const { handle } = step;
      try {
        const result = await handle.reload(
          step.isForeign
            ? { readyTimeoutMs }
            : { readyTimeoutMs, whenReady: (pid) => readyInPresence(host, handle.workerId, pid) },
        );
        replaced.push({ ...result, group: step.group });
      } catch (error) {
        failure ??= error;
        kept.push({ workerId: handle.workerId, reason: 'its new incarnation did not get ready' });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, next));
  for (const { handle } of plan)
    kept.push({ workerId: handle.workerId, reason: 'the reload stopped before it' });
  const summary: ReloadSummary = { replaced, kept, durationMs: performance.now() - startedAt };
  if (failure === undefined) return summary;
  const cause = failure instanceof ClustrError ? failure : undefined;
  throw new ClustrError(
    'ERR_CLUSTR_RELOAD_FAILED',
    cause?.message ?? `the reload failed: ${String(failure)}`,
    { cause: failure, details: { ...cause?.details, summary } },
  );
}
