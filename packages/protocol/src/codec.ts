import { ClustrError } from './clustr-error.js';
import { describeValue } from './describe-value.js';
import type { Envelope } from './envelope.js';
import type { ControlFrame, Frame } from './frames.js';
import { validateEnvelope, validateFrame } from './validate-frame.js';

/**
 * The largest frame (one IPC line, one Redis payload) a receiver accepts; larger input is bad
 * input, dropped and reported.
 * @default 16 MiB
 */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

const decoder = new TextDecoder();

/**
 * Encodes message data once, at publish time, so that bad data fails in the caller's stack.
 * Follows JSON: object properties that are `undefined` or functions are left out, `NaN` and
 * `Infinity` become `null`. Refuses what JSON cannot carry at all: `undefined`, a function or a
 * symbol as the whole value, BigInt anywhere, cycles, nesting too deep to serialize.
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_DATA`
 */
export function encodeData(data: unknown): string {
  const kind = typeof data;
  if (kind === 'undefined' || kind === 'function' || kind === 'symbol') {
    throw invalidData(data, 'JSON cannot carry it');
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw invalidData(data, stringifyFailure(error), error);
  }
  // A top-level `toJSON()` that returns undefined leaves nothing to put on the wire.
  if (json === undefined) {
    throw invalidData(data, 'it serializes to nothing (its toJSON() returned undefined)');
  }
  return json;
}

function stringifyFailure(error: unknown): string {
  // V8 reports too-deep nesting as a stack overflow; say what it means for the caller.
  if (error instanceof RangeError && error.message.includes('call stack')) {
    return 'it is nested too deep to serialize';
  }
  // A toJSON or getter may throw anything; describeValue never throws, String() can.
  return error instanceof Error ? error.message : `it threw ${describeValue(error)}`;
}

function invalidData(data: unknown, reason: string, cause?: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_DATA',
    `message data ${describeValue(data)} cannot be sent: ${reason} (allowed: anything JSON can carry — objects, arrays, strings, finite numbers, booleans, null)`,
    { cause },
  );
}

/**
 * Builds the IPC line of a data frame from parts that are already JSON, without serializing
 * anything again. `channel` must be a valid channel name (they never need escaping).
 */
export function encodeDataFrame(channel: string, metaJson: string, dataJson: string): string {
  return `{"clustr":1,"channel":"${channel}","meta":${metaJson},"data":${dataJson}}`;
}

/**
 * Builds the line of a run frame (several messages of one sender on one channel) from parts that
 * are already JSON: `{"clustr":1,"channel":…,"meta":…,"run":[d1,d2,…]}`.
 */
export function encodeRunFrame(channel: string, metaJson: string, dataJsons: readonly string[]): string {
  return `{"clustr":1,"channel":"${channel}","meta":${metaJson},"run":[${dataJsons.join(',')}]}`;
}

/** Builds an envelope's JSON (`{"meta":…,"data":…}`, the Redis payload) from JSON parts. */
export function encodeEnvelope(metaJson: string, dataJson: string): string {
  return `{"meta":${metaJson},"data":${dataJson}}`;
}

/** Encodes a control frame. */
export function encodeControlFrame(frame: ControlFrame): string {
  return JSON.stringify(frame);
}

/**
 * UTF-8 length of `text` as a pipe or socket carries it (a lone surrogate as U+FFFD, 3 bytes).
 * A UTF-16 unit takes at most 3 bytes, so text that cannot pass `maxBytes` is not counted.
 */
function utf8ByteLength(text: string, maxBytes: number): number {
  if (text.length * 3 <= maxBytes) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit <= 0xdbff && unit >= 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Parses JSON from outside (a line, a Redis payload) after checking its UTF-8 size against
 * `maxBytes`; throws `ERR_CLUSTR_BAD_FRAME` naming `what` — never any other exception. The one
 * copy of the size-then-parse rule that every decoder of outside input goes through.
 */
export function decodeJson(input: string | Uint8Array, maxBytes: number, what: string): unknown {
  const size = typeof input === 'string' ? utf8ByteLength(input, maxBytes) : input.byteLength;
  if (size > maxBytes) {
    const message = `${what} of ${size} bytes is larger than the limit of ${maxBytes} bytes`;
    throw new ClustrError('ERR_CLUSTR_BAD_FRAME', message, { details: { size, maxBytes } });
  }
  const text = typeof input === 'string' ? input : decoder.decode(input);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ClustrError('ERR_CLUSTR_BAD_FRAME', `${what} is not JSON: ${describeValue(text)}`, {
      cause: error,
    });
  }
}

/**
 * Decodes one IPC line (string or bytes). Returns a valid frame or throws `ERR_CLUSTR_BAD_FRAME`
 * — never any other exception, never a half-valid object.
 */
export function decodeFrame(input: string | Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): Frame {
  return validateFrame(decodeJson(input, maxBytes, 'frame'));
}

/**
 * Decodes one envelope (a Redis payload). Returns a valid envelope or throws
 * `ERR_CLUSTR_BAD_FRAME` — never any other exception.
 */
export function decodeEnvelope(input: string | Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): Envelope {
  return validateEnvelope(decodeJson(input, maxBytes, 'envelope'));
}
