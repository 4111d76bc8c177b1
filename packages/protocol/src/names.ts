import { ClustrError } from './clustr-error.js';
import { describeValue } from './describe-value.js';

/** The channel every living process of the cluster listens to. */
export const PUBLIC_CHANNEL = 'public';
/** The master's private channel (and the group name the master carries in `meta.group`). */
export const MASTER_CHANNEL = 'master';
/** The channel whose messages only masters count, with `onConfirmation`. */
export const CONFIRMATION_CHANNEL = 'confirmation';
/** The `meta.group` given to messages that came from outside clustr (e.g. a bare `redis-cli` kill). */
export const EXTERNAL_GROUP = 'external';
/** Prefix of the control channel a worker listens to for its kill order: `kill:<workerId>`. */
export const KILL_CHANNEL_PREFIX = 'kill:';
/**
 * Prefix of the control channel each process receives requests and replies on:
 * `rpc:<workerId>.<pid>` for a worker (one per incarnation), `rpc:master.<random UUID>` for a
 * master (a name no child can claim as a member of its subtree).
 */
export const RPC_CHANNEL_PREFIX = 'rpc:';
/**
 * Prefix of the control channel a worker receives one-of-group messages on (`deliver: 'one'`):
 * `one:<workerId>`. Its data is the message itself, for the worker's group handlers: no wrapper
 * to parse, so a message to one member costs what a message to the group costs.
 */
export const ONE_CHANNEL_PREFIX = 'one:';
/**
 * The control channel presence travels on: every process's heartbeats, leaves and hellos. Every
 * process listens to it; over Redis it is `<namespace>:presence:all`.
 */
export const PRESENCE_CHANNEL = 'presence:all';

/** Names a group may not take, because channels of that name already mean something. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  PUBLIC_CHANNEL,
  MASTER_CHANNEL,
  CONFIRMATION_CHANNEL,
  EXTERNAL_GROUP,
  'kill',
  'clustr',
]);

/** The rule for group names: a letter or digit, then up to 63 letters, digits, `_`, `.` or `-`. */
export const GROUP_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/**
 * The rule for a workerId on the wire (in `meta`, in `kill:<workerId>`, as a private channel): a
 * letter or digit, then up to 127 of `[A-Za-z0-9_.-]`. Lenient, for processes written in other
 * languages; the ids clustr processes claim follow the stricter {@link UUID_PATTERN}.
 */
export const WORKER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/**
 * The shape of the workerId a clustr process claims (a UUID: 8-4-4-4-12 hex digits), and the
 * one shape a group name may not have: so a group can never take a worker's private channel.
 */
export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** True when `value` has a workerId's shape (a UUID), which no group name may have. */
function isUuid(value: string): boolean {
  return value.length === 36 && UUID_PATTERN.test(value);
}
/**
 * The rule for every channel name on the wire: user channels follow {@link WORKER_ID_PATTERN};
 * control channels add `:` (`kill:<workerId>`). Kept free of characters that need escaping in
 * JSON or in Redis channel patterns.
 */
export const CHANNEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** True when `value` is a valid group name: not reserved, and not shaped as a workerId (a UUID). */
export function isGroupName(value: unknown): value is string {
  return (
    typeof value === 'string' && GROUP_PATTERN.test(value) && !RESERVED_NAMES.has(value) && !isUuid(value)
  );
}

/** Throws `ERR_CLUSTR_INVALID_GROUP` unless `value` is a valid, unreserved group name. */
export function assertGroupName(value: unknown): asserts value is string {
  if (isGroupName(value)) return;
  const reason =
    typeof value === 'string' && RESERVED_NAMES.has(value)
      ? `is reserved (reserved: ${[...RESERVED_NAMES].join(', ')})`
      : typeof value === 'string' && isUuid(value)
        ? "has the shape of a workerId (a UUID), which a group may not have: it would take that worker's private channel"
        : 'is not a valid group name (1-64 characters: a letter or digit, then letters, digits, "_", "." or "-")';
  throw new ClustrError('ERR_CLUSTR_INVALID_GROUP', `group ${describeValue(value)} ${reason}`, {
    details: { value },
  });
}

/** True when `value` is a valid workerId on the wire (lenient: see {@link WORKER_ID_PATTERN}). */
export function isWorkerId(value: unknown): value is string {
  return typeof value === 'string' && WORKER_ID_PATTERN.test(value) && !RESERVED_NAMES.has(value);
}

/** Throws `ERR_CLUSTR_INVALID_WORKER_ID` unless `value` is a valid workerId on the wire. */
export function assertWorkerId(value: unknown): asserts value is string {
  if (isWorkerId(value)) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_WORKER_ID',
    `workerId ${describeValue(value)} is not valid (1-128 characters: a letter or digit, then letters, digits, "_", "." or "-"; not a reserved name)`,
    { details: { value } },
  );
}

/** True when `value` is a workerId a clustr process may claim: a UUID. */
export function isOwnWorkerId(value: unknown): value is string {
  return typeof value === 'string' && isUuid(value);
}

/** Throws `ERR_CLUSTR_INVALID_WORKER_ID` unless `value` is a workerId a process may claim (a UUID). */
export function assertOwnWorkerId(value: unknown): asserts value is string {
  if (isOwnWorkerId(value)) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_WORKER_ID',
    `workerId ${describeValue(value)} is not one a process may claim (a UUID, e.g. from crypto.randomUUID(): groups may not have that shape, so a group never takes a worker's private channel)`,
    { details: { value } },
  );
}

/** True when `value` is a valid channel name on the wire (user or control channel). */
export function isChannelName(value: unknown): value is string {
  return typeof value === 'string' && CHANNEL_PATTERN.test(value);
}

/** True when `channel` is internal to clustr (it holds a `:`), so users may not publish to it. */
export function isControlChannel(channel: string): boolean {
  return channel.includes(':');
}

/**
 * Throws `ERR_CLUSTR_INVALID_CHANNEL` unless `value` is a channel a user may publish to:
 * `public`, `master`, `confirmation`, a group name or a workerId.
 */
export function assertUserChannel(value: unknown): asserts value is string {
  if (typeof value === 'string' && WORKER_ID_PATTERN.test(value)) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_CHANNEL',
    `channel ${describeValue(value)} is not one a process can publish to (allowed: "public", "master", "confirmation", a group name or a workerId)`,
    { details: { value } },
  );
}

/** The control channel on which `workerId` receives its kill order. */
export function killChannel(workerId: string): string {
  return KILL_CHANNEL_PREFIX + workerId;
}

/** The control channel on which the process whose rpc id is `id` receives requests and replies. */
export function rpcChannel(id: string): string {
  return RPC_CHANNEL_PREFIX + id;
}

/** The control channel on which `workerId` receives the one-of-group messages chosen for it. */
export function oneChannel(workerId: string): string {
  return ONE_CHANNEL_PREFIX + workerId;
}

/** Throws `ERR_CLUSTR_INVALID_EXIT_CODE` unless `value` is an integer exit code from 0 to 255. */
export function assertExitCode(value: unknown): asserts value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_EXIT_CODE',
    `exit code ${describeValue(value)} is not valid (an integer from 0 to 255)`,
    { details: { value } },
  );
}
