// An independent model of the wire contract, written from the documentation (the root README's
// "Wire format" — Redis payloads as envelopes, runs or arrays of envelopes — @clustr/protocol's "Names and their rules" and "Frames on the IPC wire",
// @clustr/transport-ipc's wire format and identity rules), not from the code under test: the
// fuzzer's expected verdicts come from here. It imports nothing from @clustr/*. When the
// contract changes, change it here, and only here.

/** What a parent does with one line a child wrote on its link. */
export type LineVerdict =
  /** A valid data or run frame the child may send: routed to the channel's subscribers. */
  | 'deliver'
  /** A valid data frame that breaks a trust rule: dropped, counted, reported (ERR_CLUSTR_FORBIDDEN). */
  | 'forbid'
  /** A valid control frame (`sub`, `unsub`, `join`, `leave`, `hello`, `ready`): no message. */
  | 'control'
  /** Not tagged `"clustr":1` (or blank): the user's own traffic, left alone. */
  | 'user'
  /** Not JSON, too long, or not a valid frame: dropped, counted, reported (ERR_CLUSTR_BAD_FRAME). */
  | 'bad';

const MAX_RUN_MESSAGES = 100_000;
const MAX_LIST = 10_000;
const RESERVED = new Set(['public', 'master', 'confirmation', 'external', 'kill', 'clustr']);
const FRAME_FIELDS = new Set(['clustr', 'channel', 'meta', 'data', 'run']);
const META_FIELDS = new Set(['workerId', 'group']);

/** A letter or digit, then up to `maxLength - 1` letters, digits or characters of `extra` (ASCII). */
function isName(value: unknown, maxLength: number, extra: string): value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > maxLength) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const isAlnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!isAlnum && (i === 0 || !extra.includes(c))) return false;
  }
  return true;
}

/** A group on the wire: 1–64 characters; reserved names pass (the master sends as `master`). */
export const isWireGroup = (value: unknown) => isName(value, 64, '_.-');
/** A workerId on the wire: 1–128 characters (a UUID fits). */
export const isWireWorkerId = (value: unknown) => isName(value, 128, '_.-');
/** A channel on the wire: 1–200 characters; `:` for control channels (`kill:<workerId>`). */
export const isWireChannel = (value: unknown) => isName(value, 200, '_.:-');

/** 8-4-4-4-12 hex digits: the shape of a workerId a process claims, and no group's. */
function isUuidShaped(value: string): boolean {
  const parts = value.split('-');
  const hex = (part: string | undefined, length: number) =>
    part?.length === length && [...part].every((c) => '0123456789abcdefABCDEF'.includes(c));
  return parts.length === 5 && [8, 4, 4, 4, 12].every((length, i) => hex(parts[i], length));
}

/** A group a worker may take: a wire group, not reserved, not shaped as a workerId. */
export function isWorkerGroup(value: unknown): value is string {
  return isWireGroup(value) && !RESERVED.has(value) && !isUuidShaped(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isList = (value: unknown, item: (v: unknown) => boolean) =>
  Array.isArray(value) && value.length <= MAX_LIST && value.every(item);

/** `meta`: an object whose `group` is a group and whose `workerId` is absent or a workerId. */
function isValidMeta(meta: unknown): meta is { group: string; workerId?: string } {
  if (!isPlainObject(meta) || !isWireGroup(meta.group)) return false;
  return !Object.hasOwn(meta, 'workerId') || isWireWorkerId(meta.workerId);
}

/** A data frame: a channel, a valid `meta`, and exactly one of `data` (any JSON) and `run` (1–100,000). */
function isValidDataFrame(frame: Record<string, unknown>): boolean {
  if (!isWireChannel(frame.channel) || !isValidMeta(frame.meta)) return false;
  const hasData = Object.hasOwn(frame, 'data');
  if (!Object.hasOwn(frame, 'run')) return hasData;
  const { run } = frame;
  return !hasData && Array.isArray(run) && run.length >= 1 && run.length <= MAX_RUN_MESSAGES;
}

/** The shape of a control frame a child may send; any other type is bad from a child. */
function isValidChildControl(frame: Record<string, unknown>): boolean {
  const id = frame.id;
  switch (frame.type) {
    case 'sub':
      return (
        isList(frame.channels, isWireChannel) &&
        (id === undefined || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0))
      );
    case 'unsub':
      return isList(frame.channels, isWireChannel);
    case 'join':
      return isWireWorkerId(frame.workerId) && isWireGroup(frame.group);
    case 'leave':
      return isList(frame.workerIds, isWireWorkerId);
    case 'hello':
    case 'ready':
      return true;
    default:
      // `ack` and `welcome` go parent → child only.
      return false;
  }
}

type Parsed =
  | { verdict: 'user' | 'bad' | 'control' }
  | { verdict: 'data'; frame: Record<string, unknown>; meta: { group: string; workerId?: string } };

/** The shape alone: what a line is before any trust rule. */
function parseLine(line: Uint8Array, maxLineBytes: number): Parsed {
  if (line.byteLength > maxLineBytes) return { verdict: 'bad' };
  const text = Buffer.from(line).toString('utf8');
  if (text.trim() === '') return { verdict: 'user' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { verdict: 'bad' };
  }
  if (!isPlainObject(value) || value.clustr !== 1) return { verdict: 'user' };
  if (value.type !== undefined) return { verdict: isValidChildControl(value) ? 'control' : 'bad' };
  if (!isValidDataFrame(value)) return { verdict: 'bad' };
  return { verdict: 'data', frame: value, meta: value.meta as { group: string; workerId?: string } };
}

/** Whether a line is bad input whoever sends it (no trust rule involved). */
export function isBadLine(line: Uint8Array, maxLineBytes: number): boolean {
  return parseLine(line, maxLineBytes).verdict === 'bad';
}

/**
 * Judges the lines one child writes, in order. The child speaks only for itself, under the group
 * it joined with; a child that never sends `join` (a script) joins with the meta of its first
 * data frame that names its own workerId and a group a worker may take. A data frame holds only
 * the wire's fields: `clustr`, `channel`, `meta` (`workerId`, `group`), `data` or `run`.
 */
export class ChildLineJudge {
  /** The group the child joined with, once it did. */
  group: string | undefined;

  constructor(
    readonly childId: string,
    readonly maxLineBytes: number,
  ) {}

  judge(line: Uint8Array): LineVerdict {
    const parsed = parseLine(line, this.maxLineBytes);
    if (parsed.verdict !== 'data') return parsed.verdict;
    const { frame, meta } = parsed;
    if (meta.workerId !== this.childId) return 'forbid';
    if (this.group === undefined && isWorkerGroup(meta.group)) this.group = meta.group;
    if (meta.group !== this.group) return 'forbid';
    const isCanonical =
      Object.keys(frame).every((key) => FRAME_FIELDS.has(key)) &&
      Object.keys(meta).every((key) => META_FIELDS.has(key));
    return isCanonical ? 'deliver' : 'forbid';
  }
}

/**
 * How a subscriber counts a Redis payload (on a non-kill channel), per the README's wire section:
 * a payload is an envelope (`data`), a run (`run`: a non-empty array of messages under one valid
 * meta, never with `data`), or a non-empty JSON array of envelopes, each element judged alone (an
 * array inside it is refused; an element is an envelope, so a "run" field in it is ignored). Returns how many are delivered and how many counted bad;
 * a payload that is not JSON, too large, an empty array or none of the forms counts one bad.
 */
export function judgePayload(
  payload: Uint8Array,
  maxPayloadBytes: number,
): { delivered: number; bad: number } {
  if (payload.byteLength > maxPayloadBytes) return { delivered: 0, bad: 1 };
  // An array's element is an envelope: a "run" in it is an unknown field, ignored.
  const isEnvelope = (item: unknown) =>
    isPlainObject(item) && isValidMeta(item.meta) && Object.hasOwn(item, 'data');
  const text = Buffer.from(payload).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return judgeUnparsable(text, isEnvelope);
  }
  if (isPlainObject(value) && Object.hasOwn(value, 'run')) {
    const { run } = value;
    const isRun =
      Array.isArray(run) && run.length > 0 && isValidMeta(value.meta) && !Object.hasOwn(value, 'data');
    return isRun ? { delivered: run.length, bad: 0 } : { delivered: 0, bad: 1 };
  }
  if (!Array.isArray(value)) return isEnvelope(value) ? { delivered: 1, bad: 0 } : { delivered: 0, bad: 1 };
  if (value.length === 0) return { delivered: 0, bad: 1 };
  const delivered = value.filter(isEnvelope).length;
  return { delivered, bad: value.length - delivered };
}

/**
 * A payload that is not JSON as a whole: an array is judged part by part, cut where `},{"meta":`
 * joins two envelopes; a run `{"meta":…,"run":[…]…}` whose frame parses without its messages is
 * judged message by message, cut where `,` and a newline join two.
 */
function judgeUnparsable(
  text: string,
  isEnvelope: (item: unknown) => boolean,
): { delivered: number; bad: number } {
  const parses = (part: string) => {
    try {
      JSON.parse(part);
      return true;
    } catch {
      return false;
    }
  };
  if (text.startsWith('[')) {
    const parts = text.slice(1, text.endsWith(']') ? -1 : undefined).split('},{"meta":');
    if (parts.length < 2) return { delivered: 0, bad: 1 };
    const items = parts.map((part, i) => {
      try {
        return JSON.parse(`${i > 0 ? '{"meta":' : ''}${part}${i < parts.length - 1 ? '}' : ''}`) as unknown;
      } catch {
        return undefined;
      }
    });
    const delivered = items.filter(isEnvelope).length;
    return { delivered, bad: items.length - delivered };
  }
  const open = text.indexOf(',"run":[');
  const close = text.lastIndexOf(']');
  if (!text.startsWith('{"meta":') || open < 0 || close < open) return { delivered: 0, bad: 1 };
  let shell: unknown;
  try {
    shell = JSON.parse(text.slice(0, open + 8) + text.slice(close));
  } catch {
    return { delivered: 0, bad: 1 };
  }
  if (!isPlainObject(shell) || !isValidMeta(shell.meta) || Object.hasOwn(shell, 'data'))
    return { delivered: 0, bad: 1 };
  const messages = text.slice(open + 8, close).split(',\n');
  const delivered = messages.filter(parses).length;
  return { delivered, bad: messages.length - delivered };
}

/** Whether a Redis payload (on a non-kill channel) is an envelope a subscriber delivers. */
export function isDeliverableEnvelope(payload: Uint8Array, maxPayloadBytes: number): boolean {
  if (payload.byteLength > maxPayloadBytes) return false;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return false;
  }
  return (
    isPlainObject(value) &&
    isValidMeta(value.meta) &&
    Object.hasOwn(value, 'data') &&
    !Object.hasOwn(value, 'run')
  );
}
