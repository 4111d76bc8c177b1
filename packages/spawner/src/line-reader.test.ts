import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineReader } from './line-reader.js';

function read(chunks: Buffer[], max: number) {
  const events: (string | number)[] = [];
  const reader = new LineReader(max, {
    line: (text, bytes) => {
      // The size handed with each line is its UTF-8 length, however the line was decoded.
      if (bytes !== Buffer.byteLength(text)) throw new Error(`line ${text} came with ${bytes} bytes`);
      events.push(text);
    },
    oversized: (bytes) => events.push(bytes),
  });
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return events;
}

/** Cuts `bytes` at the given positions. */
function cut(bytes: Buffer, positions: number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('LineReader', () => {
  it('yields the same lines however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replaceAll('\n', ''))),
        fc.array(fc.nat()),
        (lines, positions) => {
          const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
          expect(read(cut(bytes, positions), 1 << 20)).toEqual(lines);
        },
      ),
    );
  });

  it('drops lines over the limit, reporting their size, and keeps the lines around them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 20 }).map((s) => s.replaceAll('\n', ''))),
        fc.array(fc.nat()),
        (lines, positions) => {
          const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''));
          const expected = lines.map((line) =>
            Buffer.byteLength(line) > 8 ? Buffer.byteLength(line) : line,
          );
          expect(read(cut(bytes, positions), 8)).toEqual(expected);
        },
      ),
    );
  });

  it('counts a last line without a newline', () => {
    expect(read([Buffer.from('a\nb')], 10)).toEqual(['a', 'b']);
    expect(read([Buffer.from('a\n0123456789abc')], 10)).toEqual(['a', 13]);
  });
});
