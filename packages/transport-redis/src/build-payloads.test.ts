import { describe, expect, it } from 'vitest';
import { buildPayloads, type PayloadFraming } from './build-payloads.js';
import { createFrameSigner } from './frame-signature.js';

const META = '{"group":"g"}';
const CHILD_META = '{"workerId":"c1","group":"bash"}';
/** A message as the publisher queues it: channel, meta JSON, data JSON. */
const message = (channel: string, data: unknown, meta = META) => [channel, meta, JSON.stringify(data)];
const messages = (...list: string[][]) => list.flat();
const envelope = (data: unknown, meta = META) => `{"meta":${meta},"data":${JSON.stringify(data)}}`;
const run = (data: unknown[], meta = META) =>
  `{"meta":${meta},"run":[${data.map((item) => JSON.stringify(item)).join(',\n')}]}`;
const plain: PayloadFraming = { signer: undefined, numbering: undefined, maxBatchBytes: 64 * 1024 };
const TS = 1_700_000_000_000;

describe('buildPayloads', () => {
  it('sends a lone message as the bare envelope', () => {
    expect(buildPayloads(message('ns:public', 'hi'), plain, TS)).toEqual({
      pairs: ['ns:public', envelope('hi')],
      counts: [1],
    });
  });

  it('makes one run per channel, in publish order, under one meta, from the data as it was encoded', () => {
    const turn = messages(
      message('ns:a', 1),
      message('ns:b', 2),
      message('ns:a', { x: 3 }),
      message('ns:b', 4),
      message('ns:c', 5),
    );
    expect(buildPayloads(turn, plain, TS)).toEqual({
      pairs: ['ns:a', run([1, { x: 3 }]), 'ns:b', run([2, 4]), 'ns:c', envelope(5)],
      counts: [2, 2, 1],
    });
    expect(JSON.parse(run([1, { x: 3 }]))).toEqual({ meta: { group: 'g' }, run: [1, { x: 3 }] });
  });

  it('starts a new payload where the meta changes (a relayed child shares the channel), keeping the order', () => {
    const turn = messages(
      message('ns:a', 1),
      message('ns:a', 2),
      message('ns:a', 3, CHILD_META),
      message('ns:a', 4),
    );
    expect(buildPayloads(turn, plain, TS)).toEqual({
      pairs: ['ns:a', run([1, 2]), 'ns:a', envelope(3, CHILD_META), 'ns:a', envelope(4)],
      counts: [2, 1, 1],
    });
  });

  it('splits a turn at maxBatchBytes (UTF-8 bytes, numbering and signature included), keeping the order', () => {
    const maxBatchBytes = 2048;
    const signer = createFrameSigner(Buffer.alloc(32, 7));
    const numbering = { src: 'abcdefabcdef', take: () => 9_007_199_254_740_991 };
    const turn: string[] = [];
    // Non-ASCII data: the bound counts bytes, not characters.
    for (let i = 0; i < 300; i++) turn.push(...message('ns:a', `${'é'.repeat(20)}${i}`));
    const { pairs, counts } = buildPayloads(turn, { signer, numbering, maxBatchBytes }, TS);
    expect(counts.length).toBeGreaterThan(5);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    const delivered: unknown[] = [];
    for (let i = 1; i < pairs.length; i += 2) {
      const payload = pairs[i] as string;
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(maxBatchBytes);
      // Filled: only the last payload may be less than the bound less one message.
      if (i < pairs.length - 1) expect(Buffer.byteLength(payload)).toBeGreaterThan(maxBatchBytes - 100);
      const value = JSON.parse(payload);
      delivered.push(...('run' in value ? value.run : [value.data]));
    }
    expect(delivered).toEqual(Array.from({ length: 300 }, (_, i) => `${'é'.repeat(20)}${i}`));
  });

  it('sends a message larger than maxBatchBytes alone, between its neighbours', () => {
    const big = 'x'.repeat(5000);
    const turn = messages(message('ns:a', 1), message('ns:a', big), message('ns:a', 2));
    const { pairs, counts } = buildPayloads(turn, { ...plain, maxBatchBytes: 1024 }, TS);
    expect(pairs).toEqual(['ns:a', envelope(1), 'ns:a', envelope(big), 'ns:a', envelope(2)]);
    expect(counts).toEqual([1, 1, 1]);
  });

  it('numbers each payload by its last message: src and seq close it', () => {
    let next = 0;
    const numbering = { src: 'abcdefabcdef', take: (_channel: string, count: number) => (next += count) };
    const { pairs } = buildPayloads(
      messages(message('ns:a', 1), message('ns:a', 2), message('ns:b', 3)),
      { ...plain, numbering },
      TS,
    );
    expect(JSON.parse(pairs[1] as string)).toMatchObject({ run: [1, 2], src: 'abcdefabcdef', seq: 2 });
    expect(JSON.parse(pairs[3] as string)).toMatchObject({ data: 3, src: 'abcdefabcdef', seq: 3 });
  });

  it('signs each payload once, as a whole: ts and sig close it', () => {
    const signer = createFrameSigner(Buffer.alloc(32, 7));
    const framing = { ...plain, signer };
    const { pairs } = buildPayloads(
      messages(message('ns:a', 1), message('ns:a', 2), message('ns:b', 3)),
      framing,
      TS,
    );
    const [sealedRun, lone] = [pairs[1] as string, pairs[3] as string];
    expect(sealedRun.startsWith(`{"meta":${META},"run":[1,\n2],"ts":${TS},"sig":"`)).toBe(true);
    expect(sealedRun.endsWith('"}')).toBe(true);
    expect(signer.check('ns:a', Buffer.from(sealedRun))).toBeUndefined();
    expect(lone.startsWith(`{"meta":${META},"data":3,"ts":${TS},"sig":"`)).toBe(true);
    expect(signer.check('ns:b', Buffer.from(lone))).toBeUndefined();
  });
});
