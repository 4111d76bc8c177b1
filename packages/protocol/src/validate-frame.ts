import { ClustrError } from './clustr-error.js';
import { describeValue } from './describe-value.js';
import type { Envelope, Meta } from './envelope.js';
import type { Frame } from './frames.js';
import { CHANNEL_PATTERN, GROUP_PATTERN, WORKER_ID_PATTERN } from './names.js';

/** Most messages one run frame may carry; a longer run is bad input. */
export const MAX_RUN_MESSAGES = 100_000;
/** Most channels one subscription frame may name. */
export const MAX_SUBSCRIPTION_CHANNELS = 10_000;

function bad(reason: string, value: unknown): ClustrError {
  return new ClustrError('ERR_CLUSTR_BAD_FRAME', `bad frame: ${reason} (got ${describeValue(value)})`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when a parsed line is tagged as clustr's (`"clustr":1`): the one test that tells clustr
 * frames from the user's own IPC traffic. It does not validate the rest: {@link validateFrame} does.
 */
export function isTaggedFrame(value: unknown): value is { clustr: 1 } {
  return typeof value === 'object' && value !== null && (value as { clustr?: unknown }).clustr === 1;
}

function checkMeta(meta: unknown): Meta {
  if (!isRecord(meta)) throw bad('"meta" must be an object', meta);
  const { group, workerId } = meta;
  if (typeof group !== 'string' || !GROUP_PATTERN.test(group)) {
    throw bad('"meta.group" must be a group name', group);
  }
  if (workerId !== undefined && (typeof workerId !== 'string' || !WORKER_ID_PATTERN.test(workerId))) {
    throw bad('"meta.workerId" must be a workerId or absent', workerId);
  }
  return meta as unknown as Meta;
}

function checkChannels(channels: unknown): string[] {
  if (!Array.isArray(channels) || channels.length > MAX_SUBSCRIPTION_CHANNELS) {
    throw bad(`"channels" must be an array of at most ${MAX_SUBSCRIPTION_CHANNELS} channel names`, channels);
  }
  for (const channel of channels) {
    if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) {
      throw bad('invalid channel name', channel);
    }
  }
  return channels as string[];
}

function checkJoin(value: Record<string, unknown>): void {
  const { workerId, group } = value;
  if (typeof workerId !== 'string' || !WORKER_ID_PATTERN.test(workerId)) {
    throw bad('"workerId" must be a workerId', workerId);
  }
  if (typeof group !== 'string' || !GROUP_PATTERN.test(group))
    throw bad('"group" must be a group name', group);
}

function checkWorkerIds(workerIds: unknown): void {
  if (!Array.isArray(workerIds) || workerIds.length > MAX_SUBSCRIPTION_CHANNELS) {
    throw bad(`"workerIds" must be an array of at most ${MAX_SUBSCRIPTION_CHANNELS} workerIds`, workerIds);
  }
  for (const workerId of workerIds) {
    if (typeof workerId !== 'string' || !WORKER_ID_PATTERN.test(workerId))
      throw bad('invalid workerId', workerId);
  }
}

function checkId(id: unknown): void {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw bad('"id" must be a non-negative integer', id);
  }
}

function checkWelcome(value: Record<string, unknown>): void {
  const { workerId, parentId, transport } = value;
  if (typeof workerId !== 'string' || !WORKER_ID_PATTERN.test(workerId)) {
    throw bad('"workerId" must be a workerId', workerId);
  }
  if (parentId !== 'master' && (typeof parentId !== 'string' || !WORKER_ID_PATTERN.test(parentId))) {
    throw bad('"parentId" must be "master" or a workerId', parentId);
  }
  if (!isRecord(transport)) throw bad('"transport" must be an object', transport);
  for (const key of ['restarts', 'cpu'] as const) {
    const count = value[key];
    if (count !== undefined && (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)) {
      throw bad(`"${key}" must be a non-negative integer or absent`, count);
    }
  }
  if (value.process !== undefined && !isRecord(value.process))
    throw bad('"process" must be an object or absent', value.process);
  const { name, module, options } = transport;
  if (typeof name !== 'string' || typeof module !== 'string' || !isRecord(options)) {
    throw bad('"transport" must be {"name":string,"module":string,"options":object}', transport);
  }
}

/**
 * Checks that a parsed value is a clustr frame. Returns it (typed) or throws
 * `ERR_CLUSTR_BAD_FRAME`. Unknown extra fields are ignored, as the wire contract says.
 */
export function validateFrame(value: unknown): Frame {
  if (!isRecord(value)) throw bad('a frame must be a JSON object', value);
  if (value.clustr !== 1) throw bad('"clustr" must be 1', value.clustr);
  const { type } = value;
  if (type === undefined) {
    if (typeof value.channel !== 'string' || !CHANNEL_PATTERN.test(value.channel)) {
      throw bad('"channel" must be a channel name', value.channel);
    }
    checkMeta(value.meta);
    const hasRun = Object.hasOwn(value, 'run');
    if (Object.hasOwn(value, 'data')) {
      if (hasRun) throw bad('a frame carries "data" or "run", not both', value);
      return value as unknown as Frame;
    }
    const { run } = value;
    if (!hasRun) throw bad('"data" is missing', value);
    if (!Array.isArray(run) || run.length === 0 || run.length > MAX_RUN_MESSAGES) {
      throw bad(`"run" must be an array of 1 to ${MAX_RUN_MESSAGES} messages`, run);
    }
    return value as unknown as Frame;
  }
  switch (type) {
    case 'sub':
      checkChannels(value.channels);
      if (value.id !== undefined) checkId(value.id);
      return value as unknown as Frame;
    case 'unsub':
      checkChannels(value.channels);
      if (value.id !== undefined) checkId(value.id);
      return value as unknown as Frame;
    case 'ack':
      checkId(value.id);
      return value as unknown as Frame;
    case 'ready':
      return value as unknown as Frame;
    case 'hello':
    case 'retire':
      return value as unknown as Frame;
    case 'welcome':
      checkWelcome(value);
      return value as unknown as Frame;
    case 'join':
      checkJoin(value);
      return value as unknown as Frame;
    case 'leave':
      checkWorkerIds(value.workerIds);
      return value as unknown as Frame;
    default:
      throw bad('unknown frame type', type);
  }
}

/**
 * The field a data or run frame may carry besides `clustr`, `channel` and `meta`: what a relay
 * forwards is then exactly what it counted and checked, never an unknown field riding along.
 */
function isCanonicalKey(key: string): boolean {
  return key === 'clustr' || key === 'channel' || key === 'meta' || key === 'data' || key === 'run';
}

/**
 * Returns the first field of a data or run frame (already valid per {@link validateFrame}) that
 * the wire does not define, or of its meta besides `workerId` and `group`; undefined when the
 * frame holds only the canonical fields. Frames from a child are held to this: the parent
 * forwards their line as it arrived, and handlers get `meta` with nothing an attacker chose.
 */
export function nonCanonicalField(frame: { meta: object }): string | undefined {
  for (const key in frame) if (!isCanonicalKey(key)) return key;
  for (const key in frame.meta) if (key !== 'workerId' && key !== 'group') return `meta.${key}`;
  // JSON.parse makes `"__proto__"` an own property, which for-in lists: nothing hides from it.
  return undefined;
}

/**
 * Checks that a parsed value is an envelope `{ meta: { workerId?, group }, data }`. Returns it
 * or throws `ERR_CLUSTR_BAD_FRAME`; unknown extra fields are ignored.
 */
export function validateEnvelope(value: unknown): Envelope {
  if (!isRecord(value)) throw bad('an envelope must be a JSON object', value);
  checkMeta(value.meta);
  if (!Object.hasOwn(value, 'data')) throw bad('"data" is missing', value);
  return value as unknown as Envelope;
}
