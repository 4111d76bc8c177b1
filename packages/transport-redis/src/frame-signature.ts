import { createHmac, timingSafeEqual } from 'node:crypto';

/** What precedes the signature at the end of a signed payload. */
const SIG_OPENING = ',"sig":"';
/** Base64url (no padding) of an HMAC-SHA256: 32 bytes → 43 characters. */
const SIG_CHARS = 43;
/** `,"sig":"<43 characters>"}`: the fixed-size end of every signed payload. */
export const SIGNATURE_TRAILER_BYTES = SIG_OPENING.length + SIG_CHARS + 2;
/**
 * Bytes signing adds to a payload: `,"ts":<13 digits>` and the trailer, less the `}` they
 * replace. Senders keep their payloads this much under `maxPayloadBytes`, so what they sign
 * still fits the receivers' limit.
 */
export const SIGNATURE_OVERHEAD_BYTES = ',"ts":'.length + 13 + SIGNATURE_TRAILER_BYTES - 1;

const OPENING_BYTES = Buffer.from(SIG_OPENING, 'latin1');
const QUOTE = 0x22;
const CLOSE = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** Why a payload's signature does not hold. */
export type SignatureFault = 'unsigned' | 'wrongly signed';

/** Signs and checks payloads with one secret. */
export interface FrameSigner {
  /**
   * Signs `body` for `channel` (the Redis channel, namespace included): `body` is the payload up
   * to its signature, its last envelope's `"ts"` included and its closing brace left out
   * (`{"meta":…,"data":…,"ts":<ts>` or `[{…},…,{"meta":…,"data":…,"ts":<ts>`). Returns the
   * payload: `body` + `,"sig":"<sig>"}` (`}]` for an array), where `sig` is the base64url
   * HMAC-SHA256 of `<channel>\n` and `body`.
   */
  seal(channel: string, body: string, isArray: boolean): string;
  /** Checks the signature of a received payload, without parsing it; undefined when it holds. */
  check(channel: string, payload: Uint8Array): SignatureFault | undefined;
}

/**
 * Creates the signer of one secret. The signed bytes are the payload as sent, up to its
 * signature — never a re-serialisation — so another language signs and checks with a string
 * slice and one HMAC, and a receiver rejects a forgery before it parses any JSON. An array of
 * envelopes is signed once, as a whole: one HMAC per payload, not per message.
 */
export function createFrameSigner(secret: Buffer): FrameSigner {
  return {
    seal(channel, body, isArray) {
      // One update: each call into the HMAC costs about as much as hashing a small payload.
      const sig = createHmac('sha256', secret).update(`${channel}\n${body}`).digest('base64url');
      return `${body}${SIG_OPENING}${sig}${isArray ? '"}]' : '"}'}`;
    },
    check(channel, payload) {
      // An array's signature sits before its closing bracket.
      const end =
        payload[payload.byteLength - 1] === CLOSE_ARRAY ? payload.byteLength - 1 : payload.byteLength;
      const opening = end - SIGNATURE_TRAILER_BYTES;
      if (opening < 1 || payload[end - 1] !== CLOSE || payload[end - 2] !== QUOTE) return 'unsigned';
      // A loop, not subarray().equals(): no Buffer object per payload for 8 bytes.
      for (let i = 0; i < OPENING_BYTES.length; i++) {
        if (payload[opening + i] !== OPENING_BYTES[i]) return 'unsigned';
      }
      const mac = createHmac('sha256', secret).update(`${channel}\n`).update(payload.subarray(0, opening));
      const expected = Buffer.from(mac.digest('base64url'), 'latin1');
      const given = payload.subarray(opening + OPENING_BYTES.length, end - 2);
      return timingSafeEqual(expected, given) ? undefined : 'wrongly signed';
    },
  };
}
