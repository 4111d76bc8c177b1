import { ClustrError } from '@clustr/protocol';
import { type DecodedPayload, decodePayload, isBareExitCode } from './decode-payload.js';
import { createFrameSigner, type SignatureFault } from './frame-signature.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/**
 * Checks and parses one received payload (a lone envelope or an array of them; its elements are
 * checked one by one by the caller), or throws a `ClustrError` saying why the whole payload was
 * dropped: `ERR_CLUSTR_BAD_FRAME` (not JSON, not an envelope or an array, too large) or
 * `ERR_CLUSTR_FORBIDDEN` (it broke a trust rule). The message leaves out the channel; the caller
 * names it.
 */
export type PayloadReader = (redisChannel: string, message: Uint8Array, isKill: boolean) => DecodedPayload;

function forbidden(reason: string, details: Record<string, unknown>): ClustrError {
  return new ClustrError('ERR_CLUSTR_FORBIDDEN', reason, { details });
}

function signatureFault(fault: SignatureFault, message: Uint8Array, isKill: boolean): ClustrError {
  if (fault === 'wrongly signed') {
    return forbidden(
      "its signature does not match this transport's secret (wrongly signed, or signed with another secret)",
      { fault },
    );
  }
  if (isKill && isBareExitCode(message)) {
    return forbidden(
      'a bare exit code is not obeyed when the transport has a secret: a kill order must be a signed envelope',
      { fault: 'unsigned' },
    );
  }
  return forbidden('it is unsigned, and this transport has a secret: it takes signed payloads only', {
    fault,
  });
}

function tooLarge(size: number, maxBytes: number): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_BAD_FRAME',
    `envelope of ${size} bytes is larger than the limit of ${maxBytes} bytes`,
    {
      details: { size, maxBytes },
    },
  );
}

/**
 * Creates the reader of one transport. Without a secret it decodes (a bare exit code included).
 * With one, every payload must be signed for its channel — an array once, as a whole — checked
 * before any JSON is parsed, and stamped (its last envelope's `ts`) within `replayWindowMs` of
 * this process's clock, either way: a frame recorded earlier and published again later, or
 * stamped far ahead, is refused.
 */
export function createPayloadReader(
  options: ResolvedRedisOptions,
  now: () => number = Date.now,
): PayloadReader {
  const { secret, maxPayloadBytes, replayWindowMs } = options;
  if (secret === undefined) {
    return (_channel, message, isKill) => decodePayload(message, isKill, maxPayloadBytes);
  }
  const signer = createFrameSigner(secret);
  return (redisChannel, message, isKill) => {
    // Before the HMAC: an oversized payload is not worth hashing.
    if (message.byteLength > maxPayloadBytes) throw tooLarge(message.byteLength, maxPayloadBytes);
    const fault = signer.check(redisChannel, message);
    if (fault !== undefined) throw signatureFault(fault, message, isKill);
    const payload = decodePayload(message, false, maxPayloadBytes);
    const ts = payload.last?.ts;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) {
      throw forbidden('it is signed but has no "ts" (an integer of milliseconds since the epoch)', {
        fault: 'no timestamp',
        ts,
      });
    }
    const skew = now() - ts;
    if (skew > replayWindowMs || skew < -replayWindowMs) {
      throw forbidden(
        `it was signed ${Math.abs(skew)} ms ${skew > 0 ? 'ago' : 'ahead of this clock'}, outside the replay window of ±${replayWindowMs} ms (replayWindowMs)`,
        { fault: 'outside the replay window', ts, skew, replayWindowMs },
      );
    }
    return payload;
  };
}
