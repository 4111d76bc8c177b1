import { type FrameSigner, SIGNATURE_OVERHEAD_BYTES } from './frame-signature.js';

/**
 * How a sender numbers what it sends on each channel (see `sender-numbering.ts`): its
 * incarnation id, and the sequence numbers it hands out.
 */
export interface PayloadNumbering {
  /** The sender's incarnation id: JSON-safe characters only (it is written unescaped). */
  readonly src: string;
  /** Takes the next `count` numbers of `channel`; returns the last of them. */
  take(channel: string, count: number): number;
}

/** What a payload is framed with, besides its envelopes. */
export interface PayloadFraming {
  /** Signs each payload once, as a whole, when the transport has a secret. */
  readonly signer: FrameSigner | undefined;
  /** Numbers each payload's messages (a gap at a receiver is a loss it reports). */
  readonly numbering: PayloadNumbering | undefined;
  /** Most UTF-8 bytes of a run payload; a lone envelope may be larger (up to `maxPayloadBytes`). */
  readonly maxBatchBytes: number;
}

/** Payloads ready to send, in order: what {@link buildPayloads} makes and `sendPublishes` sends. */
export interface PayloadList {
  /** Flat `[channel, payload, channel, payload, …]`: no object per payload. */
  readonly pairs: string[];
  /** How many messages each payload carries (the `i`-th count is the `i`-th pair's). */
  readonly counts: number[];
}

/** Bytes the numbering adds to a payload: `,"src":"<12 characters>","seq":<≤ 16 digits>`. */
export const NUMBERING_OVERHEAD_BYTES = ',"src":""'.length + 12 + ',"seq":'.length + 16;

/** Bytes an envelope adds to its meta and data: `{"meta":`, `,"data":` and `}`. */
export const ENVELOPE_OVERHEAD_BYTES = '{"meta":,"data":}'.length;

/**
 * What separates two messages of a run: JSON whitespace after the comma. `JSON.stringify` never
 * writes a raw newline, so a receiver can cut a run that does not parse as a whole at exactly
 * these places (see `decode-payload.ts`).
 */
export const RUN_SEPARATOR = ',\n';

/**
 * Bytes the framing may add to a run's messages besides its separators: `{"meta":`, the meta is
 * counted apart, `,"run":[`, `]}`, the numbering, and the signature with its `ts`.
 */
export const FRAMING_OVERHEAD_BYTES =
  '{"meta":,"run":[]}'.length + NUMBERING_OVERHEAD_BYTES + SIGNATURE_OVERHEAD_BYTES;

/**
 * Frames messages `from`…`to` (exclusive) of one channel's flat `[metaJson, dataJson, …]`, all
 * of one meta, as one payload: the lone envelope `{"meta":…,"data":…}` or the run
 * `{"meta":…,"run":[d1,\nd2,…]}` — one meta for the lot, so a receiver parses it once. The
 * payload's own fields (`src`, `seq`, then `ts` and `sig`) close it. The parts are already JSON:
 * they are concatenated, nothing is serialised again.
 */
function frame(
  channel: string,
  parts: readonly string[],
  from: number,
  to: number,
  framing: PayloadFraming,
  ts: number,
): string {
  const { signer, numbering } = framing;
  const count = to - from;
  let body = `{"meta":${parts[2 * from]}`;
  if (count === 1) body += `,"data":${parts[2 * from + 1]}`;
  else {
    body += `,"run":[${parts[2 * from + 1]}`;
    for (let i = from + 1; i < to; i++) body += RUN_SEPARATOR + parts[2 * i + 1];
    body += ']';
  }
  if (numbering !== undefined) body += `,"src":"${numbering.src}","seq":${numbering.take(channel, count)}`;
  if (signer === undefined) return `${body}}`;
  return signer.seal(channel, `${body},"ts":${ts}`, false);
}

/**
 * Splits one channel's messages (flat `[metaJson, dataJson, …]`) into payloads and frames each:
 * a payload holds consecutive messages of one meta (a process's own all share one; a relayed
 * child's have its own) and at most `maxBatchBytes`.
 */
function addChannel(
  list: PayloadList,
  channel: string,
  parts: readonly string[],
  framing: PayloadFraming,
  ts: number,
): void {
  const limit = framing.maxBatchBytes - FRAMING_OVERHEAD_BYTES;
  const count = parts.length / 2;
  let chars = 0;
  for (let i = 0; i < parts.length; i++) chars += (parts[i] as string).length + 2;
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a channel that might pass the bound is measured.
  const isMeasured = chars * 3 > limit;
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const meta = parts[2 * i] as string;
    const data = parts[2 * i + 1] as string;
    const size = isMeasured ? Buffer.byteLength(data) + RUN_SEPARATOR.length : 0;
    const isNewMeta = i > from && meta !== parts[2 * from];
    if (i > from && (isNewMeta || bytes + size > limit)) {
      list.pairs.push(channel, frame(channel, parts, from, i, framing, ts));
      list.counts.push(i - from);
      from = i;
      bytes = 0;
    }
    if (i === from && isMeasured) bytes = Buffer.byteLength(meta);
    bytes += size;
  }
  list.pairs.push(channel, frame(channel, parts, from, count, framing, ts));
  list.counts.push(count - from);
}

/**
 * Turns flat `[channel, metaJson, dataJson, …]` messages (a turn's, or a backlog) into payloads:
 * per channel, in publish order, runs of the messages that share a meta (or lone envelopes),
 * split where a payload would pass `maxBatchBytes`, numbered and signed (stamped `ts`) as framed.
 * Per-channel order holds; channels keep the order of their first message.
 */
export function buildPayloads(messages: readonly string[], framing: PayloadFraming, ts: number): PayloadList {
  const list: PayloadList = { pairs: [], counts: [] };
  const groups = new Map<string, string[]>();
  let channel: string | undefined;
  let group: string[] = [];
  for (let i = 0; i < messages.length; i += 3) {
    const key = messages[i] as string;
    // Most turns publish to one channel: the map is looked up only when the channel changes.
    if (key !== channel) {
      channel = key;
      let found = groups.get(key);
      if (found === undefined) {
        found = [];
        groups.set(key, found);
      }
      group = found;
    }
    group.push(messages[i + 1] as string, messages[i + 2] as string);
  }
  for (const [key, parts] of groups) addChannel(list, key, parts, framing, ts);
  return list;
}
