import { ClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, readRequest } from './control-wire.js';

const RUNS = 1000;

/** A request line a client might send: well-formed, near-misses, or garbage. */
const requestLineArb = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        op: fc.constantFrom('info', 'members', 'kill', 'publish', 'nope', 7),
        workerId: fc.oneof(fc.string(), fc.integer()),
        code: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.string()),
        channel: fc.oneof(fc.string(), fc.constant(null)),
        data: fc.jsonValue(),
      },
      { requiredKeys: ['op'] },
    )
    .map((value) => JSON.stringify(value)),
);

describe('readRequest', () => {
  it('turns any line into a request of the documented shape or a BAD_FRAME error, never a throw', () => {
    fc.assert(
      fc.property(requestLineArb, (line) => {
        const request = readRequest(line);
        if (request instanceof ClustrError) {
          expect(request.code).toBe('ERR_CLUSTR_BAD_FRAME');
          return;
        }
        switch (request.op) {
          case 'info':
          case 'members':
            expect(Object.keys(request)).toEqual(['op']);
            break;
          case 'kill':
            expect(typeof request.workerId).toBe('string');
            expect(typeof request.code).toBe('number');
            break;
          case 'publish':
            expect(typeof request.channel).toBe('string');
            expect(Object.hasOwn(request, 'data')).toBe(true);
            break;
          default:
            throw new Error(`unexpected request ${JSON.stringify(request)}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('defaults a kill order to code 0', () => {
    expect(readRequest('{"op":"kill","workerId":"w"}')).toEqual({ op: 'kill', workerId: 'w', code: 0 });
  });
});

describe('LineSplitter', () => {
  it('gives back the lines of a stream however it is cut, when none is too long', () => {
    const textArb = fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(textArb, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const splitter = new LineSplitter(64);
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const lines: string[] = [];
        let from = 0;
        for (const point of [...points, text.length]) {
          lines.push(...(splitter.push(text.slice(from, point)) ?? ['<overflow>']));
          from = point;
        }
        // The last line has no newline yet: it is held, not given.
        expect(lines).toEqual(text.split('\n').slice(0, -1));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a line past the limit, whether it ends in the chunk or never ends', () => {
    const unended = new LineSplitter(10);
    expect(unended.push('0123456789')).toEqual([]);
    expect(unended.push('x')).toBeUndefined();
    expect(new LineSplitter(10).push('short\n01234567890\n')).toBeUndefined();
  });
});
