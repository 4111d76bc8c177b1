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
  /** Numbers each payload's envelopes (a gap at a receiver is a loss it reports). */
  readonly numbering: PayloadNumbering | undefined;
  /** Most UTF-8 bytes of an array payload; a lone envelope may be larger (up to `maxPayloadBytes`). */
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

/**
 * Bytes the framing may add to an array's envelopes besides the commas between them: `[`, `]`,
 * the numbering, and the signature with its `ts`.
 */
export const FRAMING_OVERHEAD_BYTES = 2 + NUMBERING_OVERHEAD_BYTES + SIGNATURE_OVERHEAD_BYTES;

/**
 * Frames envelopes `from`…`to` (exclusive) of one channel as one payload: the lone envelope, or
 * `[e1,e2,…,eN]`. The payload's own fields (`src`, `seq`, then `ts` and `sig`) go into its last
 * envelope, whose closing brace is cut off for them: the other envelopes' JSON is concatenated
 * untouched, nothing is serialised again.
 */
function frame(
  channel: string,
  envelopes: readonly string[],
  from: number,
  to: number,
  framing: PayloadFraming,
  ts: number,
): string {
  const { signer, numbering } = framing;
  const count = to - from;
  const isArray = count > 1;
  let fields = '';
  if (numbering !== undefined) {
    fields = `,"src":"${numbering.src}","seq":${numbering.take(channel, count)}`;
  }
  if (signer !== undefined) fields += `,"ts":${ts}`;
  if (!isArray && fields === '') return envelopes[from] as string;
  const head = isArray ? `[${envelopes.slice(from, to - 1).join(',')},` : '';
  const lastEnvelope = envelopes[to - 1] as string;
  if (fields === '') return `${head}${lastEnvelope}]`;
  const body = `${head}${lastEnvelope.slice(0, -1)}${fields}`;
  if (signer !== undefined) return signer.seal(channel, body, isArray);
  return isArray ? `${body}}]` : `${body}}`;
}

/** Splits one channel's envelopes into payloads of at most `maxBatchBytes` and frames each. */
function addChannel(
  list: PayloadList,
  channel: string,
  envelopes: readonly string[],
  framing: PayloadFraming,
  ts: number,
): void {
  const limit = framing.maxBatchBytes - FRAMING_OVERHEAD_BYTES;
  let chars = 0;
  for (const envelope of envelopes) chars += envelope.length + 1;
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a channel that might pass the bound is measured.
  const isMeasured = chars * 3 > limit;
  let from = 0;
  let bytes = 0;
  for (let i = 0; isMeasured && i < envelopes.length; i++) {
    const size = Buffer.byteLength(envelopes[i] as string) + 1;
    if (i > from && bytes + size > limit) {
      list.pairs.push(channel, frame(channel, envelopes, from, i, framing, ts));
      list.counts.push(i - from);
      from = i;
      bytes = 0;
    }
    bytes += size;
  }
  list.pairs.push(channel, frame(channel, envelopes, from, envelopes.length, framing, ts));
  list.counts.push(envelopes.length - from);
}

/**
 * Turns flat `[channel, envelopeJson, …]` messages (a turn's, or a backlog) into payloads: one
 * per channel — the lone envelope, or an array of the channel's envelopes in publish order —
 * split where an array would pass `maxBatchBytes`, numbered and signed (stamped `ts`) as framed.
 * Per-channel order holds; channels keep the order of their first message.
 */
export function buildPayloads(messages: readonly string[], framing: PayloadFraming, ts: number): PayloadList {
  const list: PayloadList = { pairs: [], counts: [] };
  const groups = new Map<string, string[]>();
  let channel: string | undefined;
  let group: string[] = [];
  for (let i = 0; i < messages.length; i += 2) {
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
    group.push(messages[i + 1] as string);
  }
  for (const [key, envelopes] of groups) addChannel(list, key, envelopes, framing, ts);
  return list;
}
