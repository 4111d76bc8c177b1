import { ClustrError, type Envelope, EXTERNAL_GROUP, type Meta } from '@clustr/protocol';
import { decodeJson, describeValue, validateEnvelope } from '@clustr/protocol/internal';

const BARE_EXIT_CODE = /^\s*\d{1,3}\s*$/;

/**
 * A received payload, parsed once: a lone envelope or the elements of an array of envelopes,
 * each still unchecked ({@link toEnvelope} checks one), and the payload's own fields.
 */
export interface DecodedPayload {
  /** The lone envelope, or the array of elements. */
  readonly value: unknown;
  readonly isArray: boolean;
  /**
   * The object that carries the payload's own fields (`ts`, `src`, `seq`): the lone envelope, or
   * the array's last element; undefined when that is not an object.
   */
  readonly last: Readonly<Record<string, unknown>> | undefined;
}

/** Whether `payload` may be a bare exit code (`redis-cli PUBLISH clustr:kill:<id> 3`). */
export function isBareExitCode(payload: Uint8Array): boolean {
  return payload.byteLength <= 8 && BARE_EXIT_CODE.test(String.fromCharCode(...payload));
}

/** Where the sender joined two envelopes of an array: every envelope it encodes opens with `{"meta":`. */
const ENVELOPE_BOUNDARY = /(?<=\}),(?=\{"meta":)/;
const OPEN_ARRAY = 0x5b;

/** An element of an array that did not parse: {@link toEnvelope} refuses it. */
class Unparsable {
  constructor(readonly text: string) {}
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function badPayload(reason: string, value: unknown): ClustrError {
  return new ClustrError('ERR_CLUSTR_BAD_FRAME', `${reason} (got ${describeValue(value)})`);
}

/**
 * Parses one Redis payload, once, or throws `ERR_CLUSTR_BAD_FRAME` (never anything else): an
 * envelope `{"meta":…,"data":…}` or a non-empty array of them. On a kill channel the payload
 * may also be the bare exit code: it becomes `{ meta: { group: 'external' }, data: 3 }`.
 */
export function decodePayload(message: Uint8Array, isKill: boolean, maxBytes: number): DecodedPayload {
  if (isKill && isBareExitCode(message)) {
    const envelope = { meta: { group: EXTERNAL_GROUP }, data: Number(String.fromCharCode(...message)) };
    return { value: envelope, isArray: false, last: undefined };
  }
  const value = parseOrSplit(message, maxBytes);
  if (Array.isArray(value)) {
    if (value.length === 0) throw badPayload('an array of envelopes must hold at least one', value);
    const last = value[value.length - 1];
    return { value, isArray: true, last: isRecord(last) ? last : undefined };
  }
  if (!isRecord(value))
    throw badPayload('a payload must be an envelope (a JSON object) or an array of envelopes', value);
  return { value, isArray: false, last: value };
}

/**
 * Parses the payload once. An array that is not JSON as a whole is split where the sender joined
 * its envelopes and each part is parsed alone: a caller that handed the transport data that is
 * not JSON (`publish` without `encodeData`) costs its own message, not the whole turn's, as it
 * did when every message was its own PUBLISH. Only that failure pays for it.
 */
function parseOrSplit(message: Uint8Array, maxBytes: number): unknown {
  try {
    return decodeJson(message, maxBytes, 'payload');
  } catch (error) {
    if (message[0] !== OPEN_ARRAY || message.byteLength > maxBytes) throw error;
    const text = new TextDecoder().decode(message);
    const parts = text.slice(1, text.endsWith(']') ? -1 : undefined).split(ENVELOPE_BOUNDARY);
    if (parts.length < 2) throw error;
    return parts.map((part) => {
      try {
        return JSON.parse(part) as unknown;
      } catch {
        return new Unparsable(part);
      }
    });
  }
}

/**
 * Checks one envelope of a payload and returns what handlers get: a fresh envelope holding
 * `meta.workerId`, `meta.group` and `data` only — whatever else a sender put there (`ts`, `sig`,
 * `seq`, an own `__proto__` key in `meta`) stays here. Throws `ERR_CLUSTR_BAD_FRAME`; an array
 * inside an array is refused (the wire has one level).
 */
export function toEnvelope(element: unknown): Envelope {
  if (Array.isArray(element)) throw badPayload('an array inside an array of envelopes is refused', element);
  if (element instanceof Unparsable) throw badPayload('it is not JSON', element.text);
  const { meta: given, data } = validateEnvelope(element);
  const { workerId, group } = given;
  const meta: Meta = workerId === undefined ? { group } : { workerId, group };
  return { meta, data };
}

/**
 * {@link toEnvelope} for envelope after envelope: one whose meta names the same group and
 * workerId as the last one checked skips the name checks (the envelopes of an array are one
 * sender's, so that is the rule, and two regular expressions per message are most of the check);
 * anything else takes the full check and becomes the one compared against.
 */
export class EnvelopeChecker {
  #group: string | undefined;
  #workerId: string | undefined;

  check(element: unknown): Envelope {
    if (isRecord(element)) {
      const given = element.meta;
      if (
        isRecord(given) &&
        this.#group !== undefined &&
        given.group === this.#group &&
        given.workerId === this.#workerId &&
        Object.hasOwn(element, 'data')
      ) {
        const group = this.#group;
        const workerId = this.#workerId;
        return { meta: workerId === undefined ? { group } : { workerId, group }, data: element.data };
      }
    }
    const envelope = toEnvelope(element);
    this.#group = envelope.meta.group;
    this.#workerId = envelope.meta.workerId;
    return envelope;
  }
}
