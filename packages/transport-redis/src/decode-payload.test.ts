import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload } from './decode-payload.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decodePayload', () => {
  it('hands handlers meta.workerId, meta.group and data only', () => {
    const { envelope, ts } = decodePayload(
      bytes(
        '{"meta":{"group":"ops","workerId":"w1","__proto__":{"admin":true},"x":1},"data":[1],"x":true,"ts":5}',
      ),
      false,
      1024,
    );
    expect(envelope).toEqual({ meta: { workerId: 'w1', group: 'ops' }, data: [1] });
    expect(Object.keys(envelope)).toEqual(['meta', 'data']);
    expect(Object.keys(envelope.meta)).toEqual(['workerId', 'group']);
    expect(Object.hasOwn(envelope.meta, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(envelope.meta)).toBe(Object.prototype);
    expect(ts).toBe(5);
  });

  it('leaves workerId out when the sender had none', () => {
    expect(
      Object.keys(decodePayload(bytes('{"meta":{"group":"ops"},"data":1}'), false, 1024).envelope.meta),
    ).toEqual(['group']);
  });

  it('turns a bare exit code on a kill channel into an external envelope', () => {
    expect(decodePayload(bytes('3'), true, 1024).envelope).toEqual({ meta: { group: 'external' }, data: 3 });
    expect(decodePayload(bytes(' 255\n'), true, 1024).envelope).toEqual({
      meta: { group: 'external' },
      data: 255,
    });
  });

  it('refuses a bare number outside kill channels, and oversized payloads', () => {
    expect(() => decodePayload(bytes('3'), false, 1024)).toThrow(/envelope/);
    expect(() => decodePayload(bytes('{"meta":{"group":"ops"},"data":"long"}'), false, 10)).toThrow(
      /larger than/,
    );
  });

  it('throws nothing but ERR_CLUSTR_BAD_FRAME for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (input, isKill) => {
        try {
          const { envelope } = decodePayload(input, isKill, 1024);
          expect(typeof envelope.meta.group).toBe('string');
          expect(Object.keys(envelope.meta).every((key) => key === 'workerId' || key === 'group')).toBe(true);
        } catch (error) {
          expect(isClustrError(error) && error.code === 'ERR_CLUSTR_BAD_FRAME').toBe(true);
        }
      }),
    );
  });
});
