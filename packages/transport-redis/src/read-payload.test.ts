import { createHmac } from 'node:crypto';
import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RunValue, toEnvelope } from './decode-payload.js';
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
/** Seals a lone envelope (`isArray` false) or an array's JSON, stamped `ts` in its last envelope. */
const sealAt = (channel: string, json: string, ts: number, key = signer) => {
  const isArray = json.startsWith('[');
  const body = `${json.slice(0, isArray ? -2 : -1)},"ts":${ts}`;
  return key.seal(channel, body, isArray);
};
const signed = (channel: string, envelope: string, ts = NOW) => Buffer.from(sealAt(channel, envelope, ts));
/** The envelopes a decoded payload holds, as handlers get them. */
const envelopesOf = (payload: ReturnType<typeof read>) => {
  if (payload.form === 'envelope') return [toEnvelope(payload.value)];
  if (payload.form === 'array') return (payload.value as unknown[]).map(toEnvelope);
  const { meta, run } = payload.value as RunValue;
  return run.map((data) => toEnvelope({ meta, data }));
};
const refusal = (fault: string) =>
  expect.objectContaining({ code: 'ERR_CLUSTR_FORBIDDEN', details: expect.objectContaining({ fault }) });

describe('createPayloadReader with a secret', () => {
  it('delivers a signed payload as a clean envelope', () => {
    const payload = read(
      'ns:public',
      signed('ns:public', '{"meta":{"group":"ops","x":1},"data":{"a":1}}'),
      false,
    );
    expect(envelopesOf(payload)).toEqual([{ meta: { group: 'ops' }, data: { a: 1 } }]);
  });

  it('checks an array once, as a whole: its last envelope carries ts and sig', () => {
    const array = '[{"meta":{"group":"ops"},"data":1},{"meta":{"group":"ops"},"data":2}]';
    expect(envelopesOf(read('ns:public', signed('ns:public', array), false))).toEqual([
      { meta: { group: 'ops' }, data: 1 },
      { meta: { group: 'ops' }, data: 2 },
    ]);
    const sealed = sealAt('ns:public', array, NOW);
    // Forged: an element changed, one added in front, the array replayed on another channel or late.
    expect(() => read('ns:public', Buffer.from(sealed.replace('"data":1', '"data":9')), false)).toThrow(
      refusal('wrongly signed'),
    );
    expect(() =>
      read('ns:public', Buffer.from(`[{"meta":{"group":"ops"},"data":0},${sealed.slice(1)}`), false),
    ).toThrow(refusal('wrongly signed'));
    expect(() => read('ns:master', Buffer.from(sealed), false)).toThrow(refusal('wrongly signed'));
    expect(() => read('ns:public', signed('ns:public', array, NOW - 30_001), false)).toThrow(
      refusal('outside the replay window'),
    );
    // A signed lone envelope wrapped into an array no longer matches its signature.
    const lone = sealAt('ns:public', '{"meta":{"group":"ops"},"data":1}', NOW);
    expect(() => read('ns:public', Buffer.from(`[${lone}]`), false)).toThrow(refusal('wrongly signed'));
  });

  it('checks a run once, as a whole, like a lone envelope', () => {
    const run = '{"meta":{"group":"ops"},"run":[1,\n2],"src":"s","seq":2}';
    expect(envelopesOf(read('ns:public', signed('ns:public', run), false))).toEqual([
      { meta: { group: 'ops' }, data: 1 },
      { meta: { group: 'ops' }, data: 2 },
    ]);
    const sealed = sealAt('ns:public', run, NOW);
    expect(() => read('ns:public', Buffer.from(sealed.replace('[1,', '[9,')), false)).toThrow(
      refusal('wrongly signed'),
    );
    expect(() => read('ns:public', Buffer.from(sealed.replace('"seq":2', '"seq":3')), false)).toThrow(
      refusal('wrongly signed'),
    );
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
    const forged = sealAt(
      'ns:public',
      '{"meta":{"group":"ops"},"data":1}',
      NOW,
      createFrameSigner(Buffer.alloc(32)),
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
    expect(envelopesOf(plain('ns:kill:w1', Buffer.from('3'), true))).toEqual([
      { meta: { group: 'external' }, data: 3 },
    ]);
    expect(
      envelopesOf(plain('ns:public', signed('ns:public', '{"meta":{"group":"ops"},"data":1}', 0), false)),
    ).toEqual([{ meta: { group: 'ops' }, data: 1 }]);
  });
});
