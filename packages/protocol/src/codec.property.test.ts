import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelArb,
  controlFrameArb,
  dataArb,
  dataFrameArb,
  decodeOrRefuse,
  metaArb,
  utf16GarbageArb,
} from '../test/frame-arbitraries.js';
import { ClustrError } from './clustr-error.js';
import {
  decodeEnvelope,
  decodeFrame,
  encodeControlFrame,
  encodeData,
  encodeDataFrame,
  encodeEnvelope,
} from './codec.js';
import { encodeMeta } from './envelope.js';

const RUNS = 1000;

describe('round trips (property)', () => {
  it('a data frame comes back exactly through encodeDataFrame → decodeFrame', () => {
    fc.assert(
      fc.property(channelArb, metaArb, dataArb, (channel, meta, data) => {
        const encoded = encodeMeta(meta);
        const line = encodeDataFrame(channel, encoded.json, encodeData(data));
        const expected = { clustr: 1, channel, meta: encoded.meta, data };
        expect(line).toBe(JSON.stringify(expected));
        const frame = decodeFrame(line);
        expect(frame).toEqual(expected);
        expect(JSON.stringify(frame)).toBe(line);
        expect(decodeFrame(new TextEncoder().encode(line))).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('an envelope comes back exactly through encodeEnvelope → decodeEnvelope', () => {
    fc.assert(
      fc.property(metaArb, dataArb, (meta, data) => {
        const encoded = encodeMeta(meta);
        const payload = encodeEnvelope(encoded.json, encodeData(data));
        expect(payload).toBe(JSON.stringify({ meta: encoded.meta, data }));
        expect(decodeEnvelope(payload)).toEqual({ meta: encoded.meta, data });
      }),
      { numRuns: RUNS },
    );
  });

  it('a control frame (the handshake included) comes back exactly', () => {
    fc.assert(
      fc.property(controlFrameArb, (frame) => {
        const line = encodeControlFrame(frame);
        const decoded = decodeFrame(line);
        expect(decoded).toEqual(frame);
        expect(JSON.stringify(decoded)).toBe(line);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('size limit (property)', () => {
  it('a frame is refused exactly when its UTF-8 bytes pass maxBytes, as a string or as bytes', () => {
    fc.assert(
      fc.property(dataFrameArb, fc.double({ min: 0, max: 2, noNaN: true }), (frame, ratio) => {
        const line = JSON.stringify(frame);
        const bytes = Buffer.from(line);
        const maxBytes = Math.floor(bytes.byteLength * ratio);
        for (const input of [line, bytes]) {
          const decoded = decodeOrRefuse(() => decodeFrame(input, maxBytes));
          if (bytes.byteLength > maxBytes) expect(decoded).toBeUndefined();
          else expect(decoded).toEqual(frame);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reports the exact UTF-8 size of oversized text, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(utf16GarbageArb, fc.string({ unit: 'binary', minLength: 1 })), (text) => {
        const size = Buffer.byteLength(text);
        if (size === 0) return;
        let refused: unknown;
        try {
          decodeEnvelope(text, size - 1);
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(ClustrError);
        expect((refused as ClustrError).code).toBe('ERR_CLUSTR_BAD_FRAME');
        expect((refused as ClustrError).details).toEqual({ size, maxBytes: size - 1 });
      }),
      { numRuns: RUNS },
    );
  });
});
