import { decodeEnvelope, type Envelope, EXTERNAL_GROUP, type Meta } from '@clustr/protocol';

const BARE_EXIT_CODE = /^\s*\d{1,3}\s*$/;

/** A received payload: the envelope handlers get, and the timestamp a signed payload carries. */
export interface DecodedPayload {
  readonly envelope: Envelope;
  /** The payload's `ts` field as sent (unchecked: only signed payloads must hold one). */
  readonly ts: unknown;
}

/** Whether `payload` may be a bare exit code (`redis-cli PUBLISH clustr:kill:<id> 3`). */
export function isBareExitCode(payload: Uint8Array): boolean {
  return payload.byteLength <= 8 && BARE_EXIT_CODE.test(String.fromCharCode(...payload));
}

/**
 * Decodes one Redis payload, or throws `ERR_CLUSTR_BAD_FRAME` (never anything else). Handlers get
 * a fresh envelope holding `meta.workerId`, `meta.group` and `data` only: whatever else a sender
 * put in the payload (`ts`, `sig`, an own `__proto__` key in `meta`) stays here. On a kill
 * channel the payload may also be the bare exit code: it becomes
 * `{ meta: { group: 'external' }, data: 3 }`.
 */
export function decodePayload(message: Uint8Array, isKill: boolean, maxBytes: number): DecodedPayload {
  if (isKill && isBareExitCode(message)) {
    return {
      envelope: { meta: { group: EXTERNAL_GROUP }, data: Number(String.fromCharCode(...message)) },
      ts: undefined,
    };
  }
  const decoded = decodeEnvelope(message, maxBytes);
  const { workerId, group } = decoded.meta;
  const meta: Meta = workerId === undefined ? { group } : { workerId, group };
  return { envelope: { meta, data: decoded.data }, ts: (decoded as { ts?: unknown }).ts };
}
