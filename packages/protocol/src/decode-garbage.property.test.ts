import type { JsonValue } from 'fast-check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlFrameArb,
  dataArb,
  dataFrameArb,
  decodeOrRefuse,
  isWellFormedFrame,
  isWellFormedMeta,
  metaArb,
  mutate,
  mutationArb,
  pathsOf,
  utf16GarbageArb,
} from '../test/frame-arbitraries.js';
import { decodeEnvelope, decodeFrame } from './codec.js';

const RUNS = 2000;

/**
 * Decodes outside input as a frame: refused with BAD_FRAME, or a frame the wire rules accept.
 * The oracle is `isWellFormedFrame`, the rules restated by hand with literal patterns, never
 * `validateFrame`: a validator checked against itself passes whatever it does.
 */
function checkFrameInput(input: string | Uint8Array, maxBytes?: number): void {
  const frame = decodeOrRefuse(() => decodeFrame(input, maxBytes));
  if (frame === undefined) return;
  expect(isWellFormedFrame(frame)).toBe(true);
}

/** Decodes outside input as an envelope: refused with BAD_FRAME, or a well-formed envelope. */
function checkEnvelopeInput(input: string | Uint8Array): void {
  const envelope = decodeOrRefuse(() => decodeEnvelope(input));
  if (envelope === undefined) return;
  expect(isWellFormedMeta(envelope.meta)).toBe(true);
  expect(Object.hasOwn(envelope, 'data')).toBe(true);
}

const anyFrameArb = fc.oneof(dataFrameArb, controlFrameArb);
const envelopeArb = fc.record({ meta: metaArb, data: dataArb });
/** Objects shaped like frames, each field absent, right or of a random type. */
const frameShapedArb = fc.record(
  {
    clustr: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
    type: fc.oneof(
      fc.constantFrom('sub', 'unsub', 'ack', 'ready', 'hello', 'welcome', 'batch'),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    channel: fc.oneof(fc.constantFrom('public', 'kill:w1', 'a b', ''), fc.jsonValue({ maxDepth: 1 })),
    meta: fc.oneof(metaArb, fc.jsonValue({ maxDepth: 2 })),
    data: fc.jsonValue({ maxDepth: 2 }),
    channels: fc.oneof(fc.array(fc.string()), fc.jsonValue({ maxDepth: 2 })),
    id: fc.oneof(fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 1 })),
    frames: fc.array(fc.oneof(dataFrameArb, controlFrameArb, fc.jsonValue({ maxDepth: 2 })), {
      maxLength: 4,
    }),
  },
  { requiredKeys: [] },
);

describe('decodeFrame on outside input (property)', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => checkFrameInput(bytes)),
      { numRuns: RUNS },
    );
  });

  it('random text: ASCII, any Unicode, broken UTF-16, random JSON', () => {
    const textArb = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      utf16GarbageArb,
      fc.json({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(textArb, (text) => checkFrameInput(text)),
      { numRuns: RUNS },
    );
  });

  it('frame-shaped objects with fields missing or of the wrong type', () => {
    fc.assert(
      fc.property(frameShapedArb, (value) => checkFrameInput(JSON.stringify(value))),
      { numRuns: RUNS },
    );
  });

  it('truncated frames are refused', () => {
    fc.assert(
      fc.property(anyFrameArb, fc.nat(), (frame, cut) => {
        const line = JSON.stringify(frame);
        expect(decodeOrRefuse(() => decodeFrame(line.slice(0, cut % line.length)))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('frames with one field deleted, retyped or added', () => {
    fc.assert(
      fc.property(anyFrameArb, fc.nat(), mutationArb, (frame, pick, mutation) => {
        const root = JSON.parse(JSON.stringify(frame)) as JsonValue;
        const paths = [[], ...pathsOf(root)];
        const path = paths[pick % paths.length]!;
        checkFrameInput(JSON.stringify(mutate(root, path, mutation)));
      }),
      { numRuns: RUNS },
    );
  });

  it('frames with garbage inserted or bytes flipped', () => {
    fc.assert(
      fc.property(
        anyFrameArb,
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.nat(255),
        (frame, at, garbage, flip) => {
          const line = JSON.stringify(frame);
          const index = at % (line.length + 1);
          checkFrameInput(line.slice(0, index) + garbage + line.slice(index));
          const bytes = Buffer.from(line);
          bytes[at % bytes.length] = flip;
          checkFrameInput(bytes);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('decodeEnvelope on outside input (property)', () => {
  it('random bytes and text', () => {
    const inputArb = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary' }),
      fc.json({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(inputArb, (input) => checkEnvelopeInput(input)),
      { numRuns: RUNS },
    );
  });

  it('truncated, mutated and garbled envelopes', () => {
    fc.assert(
      fc.property(
        envelopeArb,
        fc.nat(),
        mutationArb,
        fc.string({ maxLength: 6 }),
        (envelope, pick, mutation, garbage) => {
          const payload = JSON.stringify(envelope);
          expect(
            decodeOrRefuse(() => decodeEnvelope(payload.slice(0, pick % payload.length))),
          ).toBeUndefined();
          const root = JSON.parse(payload) as JsonValue;
          const paths = [[], ...pathsOf(root)];
          checkEnvelopeInput(JSON.stringify(mutate(root, paths[pick % paths.length]!, mutation)));
          const index = pick % (payload.length + 1);
          checkEnvelopeInput(payload.slice(0, index) + garbage + payload.slice(index));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('oversized input is refused', () => {
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const payload = JSON.stringify(envelope);
        expect(decodeOrRefuse(() => decodeEnvelope(payload, Buffer.byteLength(payload) - 1))).toBeUndefined();
        expect(decodeOrRefuse(() => decodeEnvelope(payload, Buffer.byteLength(payload)))).toEqual(envelope);
      }),
      { numRuns: RUNS },
    );
  });
});
