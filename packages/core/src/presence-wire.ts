import { isWorkerId } from '@clustr/protocol/internal';
import type { LeaveReason, Member, MemberStats } from './presence-types.js';
import { isMethodName, MAX_METHODS } from './rpc-names.js';

/** What travels on the presence channel (the data of a message on `presence:all`). */
export type PresenceMessage =
  | { beat: Member }
  /** `startedAt`, when given, names the incarnation that leaves: a newer one of that id stays. */
  | { leave: { id: string; reason: LeaveReason; startedAt?: number } }
  | { hello: { id: string } };

const STATS_KEYS: readonly (keyof MemberStats)[] = [
  'rss',
  'cpuPercent',
  'eventLoopDelayP99Ms',
  'messagesOut',
  'messagesIn',
  'bytesOut',
  'bytesIn',
  'queuedBytes',
  'errors',
];
const STATES = new Set(['starting', 'ready', 'leaving']);
/** Longest string field a member record may hold: a peer cannot make every process keep megabytes. */
const MAX_FIELD = 512;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD;
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A member's methods as a peer listed them; undefined when malformed (not names, too many). */
function checkMethods(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_METHODS) return undefined;
  for (const method of value) if (!isMethodName(method)) return undefined;
  return [...(value as string[])];
}

function checkStats(value: unknown): MemberStats | undefined {
  if (!isRecord(value)) return undefined;
  const stats = {} as MemberStats;
  for (const key of STATS_KEYS) {
    const figure = value[key];
    if (!isCount(figure)) return undefined;
    stats[key] = figure;
  }
  // Optional: members whose transport does not count lost messages leave it out.
  if (isCount(value.messagesLost)) stats.messagesLost = value.messagesLost;
  return stats;
}

/** A member record as a peer sent it, rebuilt from its known fields only; undefined if malformed. */
function checkMember(value: unknown): Member | undefined {
  if (!isRecord(value)) return undefined;
  const { id, workerId, group, parentId, host, pid, cpu, command, file, startedAt, restarts, state } = value;
  if (!isText(id) || !isText(workerId) || !isText(group) || !isText(host) || !isText(command))
    return undefined;
  if (typeof file !== 'string' || file.length > 4096 || !isCount(pid) || !isCount(startedAt))
    return undefined;
  if (!isCount(restarts) || typeof state !== 'string' || !STATES.has(state)) return undefined;
  if (parentId !== undefined && !isText(parentId)) return undefined;
  if (cpu !== undefined && !isCount(cpu)) return undefined;
  const member: Member = {
    id,
    workerId,
    group,
    host,
    pid,
    command,
    file,
    startedAt,
    restarts,
    state: state as Member['state'],
  };
  if (parentId !== undefined) member.parentId = parentId;
  if (cpu !== undefined) member.cpu = cpu;
  return withOptionalParts(member, value);
}

/** Adds the optional parts of a record (stats, what it answers); undefined when one is malformed. */
function withOptionalParts(member: Member, value: Record<string, unknown>): Member | undefined {
  const { stats, rpc, methods } = value;
  if (stats !== undefined) {
    const checked = checkStats(stats);
    if (checked === undefined) return undefined;
    member.stats = checked;
  }
  if (rpc !== undefined) {
    if (!isWorkerId(rpc)) return undefined;
    member.rpc = rpc;
  }
  if (methods !== undefined) {
    const checked = checkMethods(methods);
    if (checked === undefined) return undefined;
    member.methods = checked;
  }
  return member;
}

function checkReason(value: unknown): LeaveReason | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'closed' || value.kind === 'timeout' || value.kind === 'reload')
    return { kind: value.kind };
  if (value.kind !== 'exit') return undefined;
  const { code, signal } = value;
  if (code !== null && !isCount(code)) return undefined;
  if (signal !== null && !isText(signal)) return undefined;
  return { kind: 'exit', code: code as number | null, signal: signal as string | null };
}

/** Reads a presence message from a peer; undefined when it is not one (reported by the caller). */
export function readPresenceMessage(data: unknown): PresenceMessage | undefined {
  if (!isRecord(data)) return undefined;
  if ('beat' in data) {
    const member = checkMember(data.beat);
    return member === undefined ? undefined : { beat: member };
  }
  if ('leave' in data && isRecord(data.leave)) {
    const { id, startedAt } = data.leave;
    const reason = checkReason(data.leave.reason);
    if (!isText(id) || reason === undefined) return undefined;
    if (startedAt === undefined) return { leave: { id, reason } };
    return isCount(startedAt) ? { leave: { id, reason, startedAt } } : undefined;
  }
  if ('hello' in data && isRecord(data.hello) && isText(data.hello.id))
    return { hello: { id: data.hello.id } };
  return undefined;
}
