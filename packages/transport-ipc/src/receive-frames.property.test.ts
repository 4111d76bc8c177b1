import { validateFrame } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLinkCounters } from './ipc-stats.js';
import { type FrameSink, receiveFrames, type SingleFrame } from './receive-frames.js';

function recorder(): FrameSink & { frames: SingleFrame[]; bad: unknown[] } {
  const frames: SingleFrame[] = [];
  const bad: unknown[] = [];
  return {
    frames,
    bad,
    handleFrame: (frame) => frames.push(frame),
    badFrame: (_source, error) => bad.push(error),
  };
}

const dataFrame = fc.record({
  clustr: fc.constant(1),
  channel: fc.constantFrom('public', 'master', 'web', 'kill:w-1'),
  meta: fc.record({ workerId: fc.constantFrom('w-1', 'w-2'), group: fc.constantFrom('web', 'bash') }),
  data: fc.jsonValue(),
});

describe('receiveFrames', () => {
  it('never throws on anything a peer may send; every input is either routed or reported', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), dataFrame), (value) => {
        const sink = recorder();
        const source = { counters: createLinkCounters(), label: 'child test' };
        expect(() => receiveFrames(value, source, sink)).not.toThrow();
        const isEmptyBatch = sink.bad.length === 0 && (value as { type?: unknown }).type === 'batch';
        if (!isEmptyBatch) expect(sink.frames.length + sink.bad.length).toBeGreaterThan(0);
        expect(source.counters.framesReceived).toBe(sink.frames.length);
      }),
    );
  });

  it('delivers the good frames of a batch in order and reports each bad one', () => {
    const junk = fc.oneof(
      fc.jsonValue(),
      fc.record({ clustr: fc.constant(1), channel: fc.constant('bad channel') }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(dataFrame, junk), { maxLength: 30 }), (frames) => {
        const sink = recorder();
        receiveFrames(
          { clustr: 1, type: 'batch', frames },
          { counters: createLinkCounters(), label: 'x' },
          sink,
        );
        const good = frames.filter((frame) => {
          try {
            validateFrame(frame, true);
            return true;
          } catch {
            return false;
          }
        });
        expect(sink.frames).toEqual(good);
        expect(sink.bad).toHaveLength(frames.length - good.length);
      }),
    );
  });
});
