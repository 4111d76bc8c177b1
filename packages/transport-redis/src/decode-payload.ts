import { decodeEnvelope, type Envelope, EXTERNAL_GROUP } from '@clustr/protocol';

const BARE_EXIT_CODE = /^\s*\d{1,3}\s*$/;

/**
 * Decodes one Redis payload into an envelope, or throws `ERR_CLUSTR_BAD_FRAME` (never anything
 * else). On a kill channel the payload may also be the bare exit code (`redis-cli PUBLISH
 * clustr:kill:<id> 3`): it becomes `{ meta: { group: 'external' }, data: 3 }`.
 */
export function decodePayload(message: Uint8Array, isKill: boolean, maxBytes: number): Envelope {
  if (isKill && message.byteLength <= 8) {
    const text = String.fromCharCode(...message);
    if (BARE_EXIT_CODE.test(text)) return { meta: { group: EXTERNAL_GROUP }, data: Number(text) };
  }
  return decodeEnvelope(message, maxBytes);
}
