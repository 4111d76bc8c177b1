// An independent model of the wire contract, written from the documentation (the root README's
// "Wire format", @clustr/protocol's "Names and their rules" and "Frames on the IPC wire"), not
// from the validator under test: the fuzzer's expected verdicts come from here. It imports
// nothing from @clustr/*. When the contract changes, change it here, and only here.

/**
 * Whether a child's data frame may carry fields the contract does not name (at the top level
 * and in `meta`). Today receivers ignore unknown fields; should frames from children be refused
 * for them, set this to false.
 */
export const CHILD_FRAMES_MAY_CARRY_UNKNOWN_FIELDS = true;

/** What a parent does with one line a child wrote on its link. */
export type LineVerdict =
  /** A valid data or run frame: routed to the channel's subscribers. */
  | 'deliver'
  /** A valid frame a child may send that carries no message (`sub`, `unsub`, `hello`, `ready`). */
  | 'control'
  /** Not tagged `"clustr":1` (or blank): the user's own traffic, left alone. */
  | 'user'
  /** Dropped, counted and reported. */
  | 'bad';

const MAX_RUN_MESSAGES = 100_000;
const MAX_SUBSCRIPTION_CHANNELS = 10_000;
const DATA_FRAME_FIELDS = new Set(['clustr', 'channel', 'meta', 'data', 'run']);
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

/** 1–64 characters; reserved names are accepted on the wire (the master sends as `master`). */
export const isWireGroup = (value: unknown) => isName(value, 64, '_.-');
/** 1–128 characters (a UUID fits). */
export const isWireWorkerId = (value: unknown) => isName(value, 128, '_.-');
/** 1–200 characters; `:` for control channels (`kill:<workerId>`). */
export const isWireChannel = (value: unknown) => isName(value, 200, '_.:-');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKnown(value: Record<string, unknown>, known: ReadonlySet<string>): boolean {
  return Object.keys(value).every((key) => known.has(key));
}

/** `meta`: an object whose `group` is a group name and whose `workerId` is absent or a workerId. */
function isValidMeta(meta: unknown, mayCarryUnknown: boolean): boolean {
  if (!isPlainObject(meta)) return false;
  if (!isWireGroup(meta.group)) return false;
  if (Object.hasOwn(meta, 'workerId') && !isWireWorkerId(meta.workerId)) return false;
  return mayCarryUnknown || onlyKnown(meta, META_FIELDS);
}

/** A data frame carries exactly one of `data` (any JSON, null included) and `run` (1–100,000 messages). */
function isValidDataFrame(frame: Record<string, unknown>): boolean {
  const mayCarryUnknown = CHILD_FRAMES_MAY_CARRY_UNKNOWN_FIELDS;
  if (!isWireChannel(frame.channel) || !isValidMeta(frame.meta, mayCarryUnknown)) return false;
  if (!mayCarryUnknown && !onlyKnown(frame, DATA_FRAME_FIELDS)) return false;
  const hasData = Object.hasOwn(frame, 'data');
  if (!Object.hasOwn(frame, 'run')) return hasData;
  const { run } = frame;
  return !hasData && Array.isArray(run) && run.length >= 1 && run.length <= MAX_RUN_MESSAGES;
}

function isChannelList(channels: unknown): boolean {
  return (
    Array.isArray(channels) && channels.length <= MAX_SUBSCRIPTION_CHANNELS && channels.every(isWireChannel)
  );
}

function isId(id: unknown): boolean {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

/** The verdict on a parsed, tagged frame a child sent up its link. */
function frameFromChild(frame: Record<string, unknown>): LineVerdict {
  if (frame.type === undefined) {
    return isValidDataFrame(frame) ? 'deliver' : 'bad';
  }
  switch (frame.type) {
    case 'sub':
      return isChannelList(frame.channels) && (frame.id === undefined || isId(frame.id)) ? 'control' : 'bad';
    case 'unsub':
      return isChannelList(frame.channels) ? 'control' : 'bad';
    case 'hello':
    case 'ready':
      return 'control';
    default:
      // `ack` and `welcome` go parent → child only; any other type is unknown.
      return 'bad';
  }
}

/** The verdict on one line (without its newline) a child wrote on its link. */
export function lineVerdict(line: Uint8Array, maxLineBytes: number): LineVerdict {
  if (line.byteLength > maxLineBytes) return 'bad';
  const text = Buffer.from(line).toString('utf8');
  if (text.trim() === '') return 'user';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'bad';
  }
  if (!isPlainObject(value) || value.clustr !== 1) return 'user';
  return frameFromChild(value);
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
  return isPlainObject(value) && isValidMeta(value.meta, true) && Object.hasOwn(value, 'data');
}
