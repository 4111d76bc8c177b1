import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrameSigner, SIGNATURE_OVERHEAD_BYTES, SIGNATURE_TRAILER_BYTES } from './frame-signature.js';

const SECRET = Buffer.from('a-secret-of-at-least-32-bytes-0123456789');
const signer = createFrameSigner(SECRET);
const bytes = (text: string) => Buffer.from(text, 'utf8');
/** Seals a lone envelope's JSON as the publisher does: `ts` in, the closing brace out. */
const seal = (channel: string, envelope: string, ts: number) =>
  signer.seal(channel, `${envelope.slice(0, -1)},"ts":${ts}`, false);

describe('frame signature', () => {
  it('signs as documented: HMAC-SHA256 of "<channel>\\n" and every byte before ,"sig":"', () => {
    const sealed = seal('shop:public', '{"meta":{"group":"ops"},"data":"héllo"}', 1_700_000_000_000);
    const body = '{"meta":{"group":"ops"},"data":"héllo","ts":1700000000000';
    const sig = createHmac('sha256', SECRET).update(`shop:public\n${body}`).digest('base64url');
    expect(sealed).toBe(`${body},"sig":"${sig}"}`);
    expect(JSON.parse(sealed)).toEqual({ meta: { group: 'ops' }, data: 'héllo', ts: 1_700_000_000_000, sig });
    expect(Buffer.byteLength(sealed) - Buffer.byteLength('{"meta":{"group":"ops"},"data":"héllo"}')).toBe(
      SIGNATURE_OVERHEAD_BYTES,
    );
    expect(signer.check('shop:public', bytes(sealed))).toBeUndefined();
  });

  it('accepts a payload another language built with its own serialiser, whitespace included', () => {
    const body = '{"meta": {"group": "ops"}, "data": [1, 2], "ts": 1700000000000';
    const sig = createHmac('sha256', SECRET).update(`shop:kill:w1\n${body}`).digest('base64url');
    expect(signer.check('shop:kill:w1', bytes(`${body},"sig":"${sig}"}`))).toBeUndefined();
  });

  it('signs an array once, as a whole, the trailer before its closing bracket', () => {
    const body = '[{"meta":{"group":"ops"},"data":1},{"meta":{"group":"ops"},"data":2,"ts":1700000000000';
    const sealed = signer.seal('shop:public', body, true);
    const sig = createHmac('sha256', SECRET).update(`shop:public\n${body}`).digest('base64url');
    expect(sealed).toBe(`${body},"sig":"${sig}"}]`);
    expect(JSON.parse(sealed)).toHaveLength(2);
    expect(signer.check('shop:public', bytes(sealed))).toBeUndefined();
    expect(signer.check('shop:public', bytes(sealed.replace('"data":1', '"data":3')))).toBe('wrongly signed');
    expect(signer.check('shop:public', bytes(`${sealed}]`))).toBe('unsigned');
  });

  it('binds the signature to the channel, the bytes and the secret', () => {
    const sealed = seal('shop:public', '{"meta":{"group":"ops"},"data":1}', 1);
    expect(signer.check('shop:master', bytes(sealed))).toBe('wrongly signed');
    expect(signer.check('other:public', bytes(sealed))).toBe('wrongly signed');
    expect(signer.check('shop:public', bytes(sealed.replace('"data":1', '"data":2')))).toBe('wrongly signed');
    expect(signer.check('shop:public', bytes(sealed.replace('"ts":1', '"ts":2')))).toBe('wrongly signed');
    const other = createFrameSigner(Buffer.alloc(32, 9));
    expect(other.check('shop:public', bytes(sealed))).toBe('wrongly signed');
  });

  it('calls anything without the trailer unsigned', () => {
    expect(signer.check('c', bytes('3'))).toBe('unsigned');
    expect(signer.check('c', bytes('{"meta":{"group":"ops"},"data":1}'))).toBe('unsigned');
    expect(signer.check('c', bytes(`,"sig":"${'A'.repeat(43)}"}`))).toBe('unsigned');
    expect(signer.check('c', bytes(`{,"sig":"${'A'.repeat(43)}" }`))).toBe('unsigned');
    expect(signer.check('c', bytes(`{"a":1,"sig":"${'A'.repeat(42)}"}`))).toBe('unsigned');
  });

  it('never accepts arbitrary bytes, and never throws on them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2 * SIGNATURE_TRAILER_BYTES }), (input) => {
        expect(signer.check('c', input)).not.toBeUndefined();
      }),
    );
  });
});
