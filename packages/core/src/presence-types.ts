import {
  checkDuration,
  invalidOptionError,
  isOptionsObject,
  refuseUnknownKeys,
} from '@clustr/protocol/internal';

/** How a member is doing, as its latest heartbeat said. */
export interface MemberStats {
  /** Resident set size, bytes. */
  rss: number;
  /** CPU time used since the previous heartbeat, as a percentage of one core. */
  cpuPercent: number;
  /** The 99th percentile of the event loop's delay since the previous heartbeat, milliseconds. */
  eventLoopDelayP99Ms: number;
  /** Messages this process published and received since it started. */
  messagesOut: number;
  messagesIn: number;
  /** Bytes of message data it published, and of frames its transport received, since it started. */
  bytesOut: number;
  bytesIn: number;
  /** Bytes its transport holds queued for slow peers right now. */
  queuedBytes: number;
  /** Errors it reported since it started (bad input, transport trouble, handler throws). */
  errors: number;
  /**
   * Messages sent to it that never arrived, as its transport counts them (gaps in the senders'
   * numbering over Redis, `ERR_CLUSTR_MESSAGES_LOST`); absent from members whose transport does
   * not count them.
   */
  messagesLost?: number;
}

/** Where a member is in its life. */
export type MemberState = 'starting' | 'ready' | 'leaving';

/** One process of the cluster, as presence knows it. */
export interface Member {
  /**
   * Unique in the cluster (the namespace, over Redis): a worker's workerId; a master's
   * `master@<host>:<pid>`, so that two masters sharing a namespace are two rows.
   */
  id: string;
  /** The workerId (the master's is `master`). */
  workerId: string;
  group: string;
  /** The member id of the parent that spawned it; absent for a master or a process started by hand. */
  parentId?: string;
  host: string;
  pid: number;
  /** The core it is pinned to, or absent. */
  cpu?: number;
  /** `node`, or the command a foreign child runs (e.g. `bash`). */
  command: string;
  /** The program it runs. */
  file: string;
  /** Epoch milliseconds when this incarnation started. */
  startedAt: number;
  /** Its incarnation number: how many times its parent restarted it. */
  restarts: number;
  state: MemberState;
  /** Its latest heartbeat's figures; absent for a foreign child its parent cannot measure. */
  stats?: MemberStats;
  /**
   * Where requests to it go: the control channel `rpc:<rpc>`. A worker's is `<workerId>.<pid>` (one per incarnation), a
   * master's `master.<random UUID>`; absent means `rpc:<workerId>`.
   */
  rpc?: string;
  /** The request methods it has a handler for (`onRequest`), sorted; absent when it has none. */
  methods?: string[];
}

/** Why a member left. */
export type LeaveReason =
  /** Its parent saw it exit. */
  | { kind: 'exit'; code: number | null; signal: string | null }
  /** It left politely (`close()`). */
  | { kind: 'closed' }
  /** Its heartbeats stopped: a machine or a connection is gone. */
  | { kind: 'timeout' }
  /**
   * A new incarnation of the same workerId took its place (a rolling reload): the member is
   * still there, as the `onJoin` of the new record that follows says.
   */
  | { kind: 'reload' };

/** Options of presence: a `presence` option of `Master.create` and `Worker.create`. */
export interface PresenceOptions {
  /**
   * How often each process sends its heartbeat (with its stats).
   * @default 1000
   */
  intervalMs?: number;
  /**
   * A member whose heartbeats stopped for this long leaves with `{ kind: 'timeout' }`.
   * @default 5000
   */
  timeoutMs?: number;
}

/** Presence options with every default applied. */
export type ResolvedPresenceOptions = Required<PresenceOptions>;

/** The default heartbeat interval. */
export const DEFAULT_PRESENCE_INTERVAL_MS = 1000;
/** The default heartbeat timeout. */
export const DEFAULT_PRESENCE_TIMEOUT_MS = 5000;

/**
 * Checks the `presence` option; `inherited` are the parent's (a child inherits them).
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`
 */
export function resolvePresenceOptions(
  input: unknown,
  inherited?: ResolvedPresenceOptions,
): ResolvedPresenceOptions {
  if (input === undefined) {
    return inherited ?? { intervalMs: DEFAULT_PRESENCE_INTERVAL_MS, timeoutMs: DEFAULT_PRESENCE_TIMEOUT_MS };
  }
  if (!isOptionsObject(input)) throw invalidOptionError('option "presence"', input, 'an object or nothing');
  refuseUnknownKeys(input, ['intervalMs', 'timeoutMs'], 'presence option');
  const intervalMs = checkDuration(
    'presence option "intervalMs"',
    input.intervalMs,
    DEFAULT_PRESENCE_INTERVAL_MS,
    10,
  );
  const timeoutMs = checkDuration(
    'presence option "timeoutMs"',
    input.timeoutMs,
    DEFAULT_PRESENCE_TIMEOUT_MS,
    10,
  );
  if (timeoutMs <= intervalMs) {
    throw invalidOptionError(
      'presence option "timeoutMs"',
      timeoutMs,
      `more than intervalMs (${intervalMs})`,
    );
  }
  return { intervalMs, timeoutMs };
}
