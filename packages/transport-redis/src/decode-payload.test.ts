import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload } from './decode-payload.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decodePayload', () => {
  it('decodes an envelope and ignores unknown fields', () => {
    expect(decodePayload(bytes('{"meta":{"group":"ops"},"data":[1],"x":true}'), false, 1024)).toEqual({
      meta: { group: 'ops' },
      data: [1],
      x: true,
    });
  });

  it('turns a bare exit code on a kill channel into an external envelope', () => {
    expect(decodePayload(bytes('3'), true, 1024)).toEqual({ meta: { group: 'external' }, data: 3 });
    expect(decodePayload(bytes(' 255\n'), true, 1024)).toEqual({ meta: { group: 'external' }, data: 255 });
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
          const envelope = decodePayload(input, isKill, 1024);
          expect(typeof envelope.meta.group).toBe('string');
        } catch (error) {
          expect(isClustrError(error) && error.code === 'ERR_CLUSTR_BAD_FRAME').toBe(true);
        }
      }),
    );
  });
});
