import { ClustrError, type Envelope, EXTERNAL_GROUP, type Meta } from '@clustr/protocol';
import { decodeJson, describeValue, validateEnvelope } from '@clustr/protocol/internal';
import { RUN_SEPARATOR } from './build-payloads.js';

const BARE_EXIT_CODE = /^\s*\d{1,3}\s*$/;

/**
 * The three forms of a payload: a lone envelope `{"meta":…,"data":…}`, a run of one sender's
 * messages under one meta `{"meta":…,"run":[d1,d2,…]}` (what clustr sends), or an array of
 * envelopes `[{…},{…}]` (accepted from other senders).
 */
export type PayloadForm = 'envelope' | 'run' | 'array';

/** A run as parsed: its meta still unchecked, its messages' data (an {@link Unparsable} is refused). */
export interface RunValue {
  readonly meta: unknown;
  readonly run: readonly unknown[];
}

/**
 * A received payload, parsed once, its parts still unchecked ({@link toEnvelope} checks an
 * envelope, {@link EnvelopeChecker} a run's meta), and the payload's own fields.
 */
export interface DecodedPayload {
  /** The lone envelope, the {@link RunValue}, or the array of elements. */
  readonly value: unknown;
  readonly form: PayloadForm;
  /** How many messages it carries: what its sender numbered. */
  readonly count: number;
  /**
   * The object that carries the payload's own fields (`ts`, `src`, `seq`): the lone envelope,
   * the run, or the array's last element; undefined when that is not an object.
   */
  readonly last: Readonly<Record<string, unknown>> | undefined;
}

/** Whether `payload` may be a bare exit code (`redis-cli PUBLISH clustr:kill:<id> 3`). */
export function isBareExitCode(payload: Uint8Array): boolean {
  return payload.byteLength <= 8 && BARE_EXIT_CODE.test(String.fromCharCode(...payload));
}

/** Where a sender joined two envelopes of an array: every envelope it encodes opens with `{"meta":`. */
const ENVELOPE_BOUNDARY = /(?<=\}),(?=\{"meta":)/;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
/** What opens a run's messages in clustr's own runs (`{"meta":…,"run":[`): meta names hold no quote. */
const RUN_OPENING = ',"run":[';

/** An element of an array, or a message of a run, that did not parse: it is refused alone. */
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
 * envelope `{"meta":…,"data":…}`, a run `{"meta":…,"run":[…]}` or a non-empty array of
 * envelopes. On a kill channel the payload
 * may also be the bare exit code: it becomes `{ meta: { group: 'external' }, data: 3 }`.
 */
export function decodePayload(message: Uint8Array, isKill: boolean, maxBytes: number): DecodedPayload {
  if (isKill && isBareExitCode(message)) {
    const envelope = { meta: { group: EXTERNAL_GROUP }, data: Number(String.fromCharCode(...message)) };
    return { value: envelope, form: 'envelope', count: 1, last: undefined };
  }
  const value = parseOrSplit(message, maxBytes);
  if (Array.isArray(value)) {
    if (value.length === 0) throw badPayload('an array of envelopes must hold at least one', value);
    const last = value[value.length - 1];
    return { value, form: 'array', count: value.length, last: isRecord(last) ? last : undefined };
  }
  if (!isRecord(value))
    throw badPayload('a payload must be an envelope (a JSON object) or an array of envelopes', value);
  if (!Object.hasOwn(value, 'run')) return { value, form: 'envelope', count: 1, last: value };
  if (Object.hasOwn(value, 'data')) throw badPayload('an envelope carries "data" or "run", not both', value);
  const { run } = value;
  if (!Array.isArray(run) || run.length === 0)
    throw badPayload('"run" must be a non-empty array of messages', run);
  return { value, form: 'run', count: run.length, last: value };
}

/**
 * Parses the payload once. A run or an array that is not JSON as a whole is split where the
 * sender joined its messages and each part is parsed alone: a caller that handed the transport
 * data that is not JSON (`publish` without `encodeData`) costs its own message, not the whole
 * turn's, as it did when every message was its own PUBLISH. Only that failure pays for it.
 */
function parseOrSplit(message: Uint8Array, maxBytes: number): unknown {
  try {
    return decodeJson(message, maxBytes, 'payload');
  } catch (error) {
    const first = message[0];
    if ((first !== OPEN_ARRAY && first !== OPEN_OBJECT) || message.byteLength > maxBytes) throw error;
    const text = new TextDecoder().decode(message);
    const split = first === OPEN_ARRAY ? splitArray(text) : splitRun(text);
    if (split === undefined) throw error;
    return split;
  }
}

function parseEach(parts: readonly string[]): unknown[] {
  return parts.map((part) => {
    try {
      return JSON.parse(part) as unknown;
    } catch {
      return new Unparsable(part);
    }
  });
}

/** An array's elements, cut where its sender joined two envelopes. */
function splitArray(text: string): unknown[] | undefined {
  const parts = text.slice(1, text.endsWith(']') ? -1 : undefined).split(ENVELOPE_BOUNDARY);
  return parts.length < 2 ? undefined : parseEach(parts);
}

/**
 * A run whose frame (meta and the payload's own fields) parses without its messages, its
 * messages cut at the separators clustr writes between them (`,` and a newline, which encoded
 * JSON never holds).
 */
function splitRun(text: string): Record<string, unknown> | undefined {
  const open = text.indexOf(RUN_OPENING);
  const close = text.lastIndexOf(']');
  if (!text.startsWith('{"meta":') || open < 0 || close < open) return undefined;
  const start = open + RUN_OPENING.length;
  let shell: unknown;
  try {
    shell = JSON.parse(text.slice(0, start) + text.slice(close));
  } catch {
    return undefined;
  }
  if (!isRecord(shell) || !Array.isArray(shell.run)) return undefined;
  return { ...shell, run: parseEach(text.slice(start, close).split(RUN_SEPARATOR)) };
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

/** Why a run's message is refused (`ERR_CLUSTR_BAD_FRAME`: it did not parse); undefined when it is data. */
export function refusedRunItem(item: unknown): ClustrError | undefined {
  return item instanceof Unparsable ? badPayload('it is not JSON', item.text) : undefined;
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
    if (isRecord(element) && this.#isLast(element.meta) && Object.hasOwn(element, 'data'))
      return { meta: this.nextMeta(), data: element.data };
    const envelope = toEnvelope(element);
    this.#group = envelope.meta.group;
    this.#workerId = envelope.meta.workerId;
    return envelope;
  }

  /**
   * Checks the meta of a run (as {@link EnvelopeChecker.check} would an envelope's) and returns
   * it for the run's first message; {@link EnvelopeChecker.nextMeta} gives the others their own.
   */
  runMeta(given: unknown): Meta {
    return this.#isLast(given) ? this.nextMeta() : this.check({ meta: given, data: null }).meta;
  }

  /** Whether `given` names the group and workerId of the meta checked last. */
  #isLast(given: unknown): boolean {
    return (
      this.#group !== undefined &&
      isRecord(given) &&
      given.group === this.#group &&
      given.workerId === this.#workerId
    );
  }

  /** A fresh meta like the last one checked: each delivered message has its own. */
  nextMeta(): Meta {
    const group = this.#group as string;
    const workerId = this.#workerId;
    return workerId === undefined ? { group } : { workerId, group };
  }
}
