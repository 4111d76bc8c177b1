import { describe, expect, it } from 'vitest';
import { buildPayloads, FRAMING_OVERHEAD_BYTES, type PayloadFraming } from './build-payloads.js';
import { createFrameSigner } from './frame-signature.js';

const envelope = (data: unknown) => `{"meta":{"group":"g"},"data":${JSON.stringify(data)}}`;
const plain: PayloadFraming = { signer: undefined, numbering: undefined, maxBatchBytes: 64 * 1024 };
const TS = 1_700_000_000_000;

describe('buildPayloads', () => {
  it('sends a lone message as the bare envelope, untouched', () => {
    const lone = envelope('hi');
    expect(buildPayloads(['ns:public', lone], plain, TS)).toEqual({
      pairs: ['ns:public', lone],
      counts: [1],
    });
  });

  it('makes one array per channel, in publish order, from the envelopes as they were encoded', () => {
    const messages = [
      'ns:a',
      envelope(1),
      'ns:b',
      envelope(2),
      'ns:a',
      envelope(3),
      'ns:b',
      envelope(4),
      'ns:c',
      envelope(5),
    ];
    expect(buildPayloads(messages, plain, TS)).toEqual({
      pairs: [
        'ns:a',
        `[${envelope(1)},${envelope(3)}]`,
        'ns:b',
        `[${envelope(2)},${envelope(4)}]`,
        'ns:c',
        envelope(5),
      ],
      counts: [2, 2, 1],
    });
  });

  it('splits a turn at maxBatchBytes (UTF-8 bytes, framing included), keeping the order', () => {
    const maxBatchBytes = 2048;
    const messages: string[] = [];
    // Non-ASCII data: the bound counts bytes, not characters.
    for (let i = 0; i < 300; i++) messages.push('ns:a', envelope(`é${i}`));
    const { pairs, counts } = buildPayloads(messages, { ...plain, maxBatchBytes }, TS);
    expect(counts.length).toBeGreaterThan(5);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    const delivered: unknown[] = [];
    for (let i = 1; i < pairs.length; i += 2) {
      const payload = pairs[i] as string;
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(maxBatchBytes - FRAMING_OVERHEAD_BYTES + 2);
      const value = JSON.parse(payload);
      delivered.push(...(Array.isArray(value) ? value : [value]).map((e) => e.data));
    }
    expect(delivered).toEqual(Array.from({ length: 300 }, (_, i) => `é${i}`));
  });

  it('sends an envelope larger than maxBatchBytes alone, between its neighbours', () => {
    const big = envelope('x'.repeat(5000));
    const messages = ['ns:a', envelope(1), 'ns:a', big, 'ns:a', envelope(2)];
    const { pairs, counts } = buildPayloads(messages, { ...plain, maxBatchBytes: 1024 }, TS);
    expect(pairs).toEqual(['ns:a', envelope(1), 'ns:a', big, 'ns:a', envelope(2)]);
    expect(counts).toEqual([1, 1, 1]);
  });

  it('signs each payload once, as a whole: ts and sig ride on its last envelope', () => {
    const signer = createFrameSigner(Buffer.alloc(32, 7));
    const framing = { ...plain, signer };
    const { pairs } = buildPayloads(
      ['ns:a', envelope(1), 'ns:a', envelope(2), 'ns:b', envelope(3)],
      framing,
      TS,
    );
    const [array, lone] = [pairs[1] as string, pairs[3] as string];
    expect(array.startsWith(`[${envelope(1)},{"meta":{"group":"g"},"data":2,"ts":${TS},"sig":"`)).toBe(true);
    expect(array.endsWith('"}]')).toBe(true);
    expect(signer.check('ns:a', Buffer.from(array))).toBeUndefined();
    expect(lone.startsWith(`{"meta":{"group":"g"},"data":3,"ts":${TS},"sig":"`)).toBe(true);
    expect(signer.check('ns:b', Buffer.from(lone))).toBeUndefined();
  });
});
