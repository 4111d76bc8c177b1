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
/** Run frames, and frames whose `run` is anything a peer may write, with or without `data`. */
const runFrame = fc.record(
  {
    clustr: fc.constant(1),
    channel: fc.constantFrom('public', 'web'),
    meta: fc.record({ group: fc.constantFrom('web', 'bash') }),
    data: fc.jsonValue(),
    run: fc.oneof(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 5 }), fc.anything()),
  },
  { requiredKeys: ['clustr', 'channel', 'meta', 'run'] },
);

describe('receiveFrame', () => {
  it('never throws on anything a peer may send; every input is either routed or reported, once', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), dataFrame, runFrame), (value) => {
        const sink = recorder();
        const source = { counters: createLinkCounters(), label: 'child test' };
        expect(() => receiveFrame(value, 'the line', 8, source, sink)).not.toThrow();
        expect(sink.frames.length + sink.bad.length).toBe(1);
        const messages = sink.frames.reduce<number>(
          (sum, frame) =>
            sum +
            (Array.isArray((frame as { run?: unknown }).run) ? (frame as { run: unknown[] }).run.length : 1),
          0,
        );
        expect(source.counters.framesReceived).toBe(messages);
      }),
    );
  });

  it('refuses a frame that carries both data and run, whatever run holds', () => {
    for (const run of [null, { length: 3e6 }, 'abc', [1]]) {
      const sink = recorder();
      const frame = { clustr: 1, channel: 'public', meta: { group: 'g' }, data: 1, run };
      receiveFrame(frame, 'line', 4, { counters: createLinkCounters(), label: 'x' }, sink);
      expect(sink.frames).toEqual([]);
      expect(sink.bad).toHaveLength(1);
    }
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
