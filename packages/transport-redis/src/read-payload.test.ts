import { createHmac } from 'node:crypto';
import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrameSigner } from './frame-signature.js';
import { createPayloadReader } from './read-payload.js';
import { resolveRedisOptions } from './redis-transport-options.js';

const SECRET = 'a-secret-of-at-least-32-bytes-0123456789';
const NOW = 1_700_000_000_000;
const signer = createFrameSigner(Buffer.from(SECRET));
const read = createPayloadReader(
  resolveRedisOptions({ secret: SECRET, replayWindowMs: 30_000 }, {}),
  () => NOW,
);
const signed = (channel: string, envelope: string, ts = NOW) =>
  Buffer.from(signer.seal(channel, envelope, ts));
const refusal = (fault: string) =>
  expect.objectContaining({ code: 'ERR_CLUSTR_FORBIDDEN', details: expect.objectContaining({ fault }) });

describe('createPayloadReader with a secret', () => {
  it('delivers a signed payload as a clean envelope', () => {
    const envelope = read(
      'ns:public',
      signed('ns:public', '{"meta":{"group":"ops","x":1},"data":{"a":1}}'),
      false,
    );
    expect(envelope).toEqual({ meta: { group: 'ops' }, data: { a: 1 } });
  });

  it('refuses unsigned payloads and bare kill codes', () => {
    expect(() => read('ns:public', Buffer.from('{"meta":{"group":"ops"},"data":1}'), false)).toThrow(
      refusal('unsigned'),
    );
    expect(() => read('ns:kill:w1', Buffer.from('3'), true)).toThrow(/bare exit code is not obeyed/);
  });

  it('refuses a payload signed for another channel or with another secret', () => {
    expect(() => read('ns:kill:w2', signed('ns:kill:w1', '{"meta":{"group":"ops"},"data":3}'), true)).toThrow(
      refusal('wrongly signed'),
    );
    const forged = createFrameSigner(Buffer.alloc(32)).seal(
      'ns:public',
      '{"meta":{"group":"ops"},"data":1}',
      NOW,
    );
    expect(() => read('ns:public', Buffer.from(forged), false)).toThrow(refusal('wrongly signed'));
  });

  it('refuses timestamps outside the replay window, in both directions, and accepts its edges', () => {
    const at = (ts: number) => () =>
      read('ns:public', signed('ns:public', '{"meta":{"group":"ops"},"data":1}', ts), false);
    expect(at(NOW - 30_001)).toThrow(/signed 30001 ms ago, outside the replay window of ±30000 ms/);
    expect(at(NOW + 30_001)).toThrow(/30001 ms ahead of this clock/);
    expect(at(NOW - 30_000)).not.toThrow();
    expect(at(NOW + 30_000)).not.toThrow();
  });

  it('refuses a signed payload without an integer ts', () => {
    const signBody = (body: string) =>
      Buffer.from(
        `${body},"sig":"${createHmac('sha256', SECRET).update(`ns:public\n${body}`).digest('base64url')}"}`,
      );
    for (const body of ['{"meta":{"group":"ops"},"data":1,"ts":"soon"', '{"meta":{"group":"ops"},"data":1']) {
      expect(() => read('ns:public', signBody(body), false)).toThrow(refusal('no timestamp'));
    }
  });

  it('drops arbitrary bytes as forbidden or bad, never delivers them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (input, isKill) => {
        try {
          read('ns:c', input, isKill);
          expect.unreachable('delivered arbitrary bytes');
        } catch (error) {
          expect(
            isClustrError(error) && ['ERR_CLUSTR_FORBIDDEN', 'ERR_CLUSTR_BAD_FRAME'].includes(error.code),
          ).toBe(true);
        }
      }),
    );
  });
});

describe('createPayloadReader without a secret', () => {
  it('takes unsigned payloads and bare kill codes, and ignores a signature', () => {
    const plain = createPayloadReader(resolveRedisOptions({}, {}));
    expect(plain('ns:kill:w1', Buffer.from('3'), true)).toEqual({ meta: { group: 'external' }, data: 3 });
    expect(plain('ns:public', signed('ns:public', '{"meta":{"group":"ops"},"data":1}', 0), false)).toEqual({
      meta: { group: 'ops' },
      data: 1,
    });
  });
});
