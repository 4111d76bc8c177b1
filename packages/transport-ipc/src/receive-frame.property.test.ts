import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLinkCounters } from './ipc-stats.js';
import { type FrameSink, receiveFrame } from './receive-frame.js';

function recorder(): FrameSink & { frames: unknown[]; lines: string[]; bad: unknown[] } {
  const frames: unknown[] = [];
  const lines: string[] = [];
  const bad: unknown[] = [];
  return {
    frames,
    lines,
    bad,
    handleFrame: (frame, line) => {
      frames.push(frame);
      lines.push(line);
    },
    badFrame: (_source, error) => bad.push(error),
  };
}

const dataFrame = fc.record({
  clustr: fc.constant(1),
  channel: fc.constantFrom('public', 'master', 'web', 'kill:w-1'),
  meta: fc.record({ workerId: fc.constantFrom('w-1', 'w-2'), group: fc.constantFrom('web', 'bash') }),
  data: fc.jsonValue(),
});

describe('receiveFrame', () => {
  it('never throws on anything a peer may send; every input is either routed or reported, once', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), dataFrame), (value) => {
        const sink = recorder();
        const source = { counters: createLinkCounters(), label: 'child test' };
        expect(() => receiveFrame(value, 'the line', 8, source, sink)).not.toThrow();
        expect(sink.frames.length + sink.bad.length).toBe(1);
        expect(source.counters.framesReceived).toBe(sink.frames.length);
      }),
    );
  });

  it('hands a valid frame on with the very line it came from', () => {
    fc.assert(
      fc.property(dataFrame, (frame) => {
        expect(frame.clustr).toBe(1);
        const sink = recorder();
        const line = JSON.stringify(frame);
        receiveFrame(
          JSON.parse(line),
          line,
          line.length,
          { counters: createLinkCounters(), label: 'x' },
          sink,
        );
        expect(sink.lines).toEqual([line]);
        // As the line says (JSON has no -0: the line is the truth, not the object it came from).
        expect(sink.frames).toEqual([JSON.parse(line)]);
      }),
    );
  });
});
