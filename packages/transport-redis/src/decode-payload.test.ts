import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, EnvelopeChecker, toEnvelope } from './decode-payload.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/** What handlers get from a payload: each element checked, or the error that dropped it. */
const outcome = (text: string, isKill = false, maxBytes = 1024) => {
  const { value, isArray } = decodePayload(bytes(text), isKill, maxBytes);
  return (isArray ? (value as unknown[]) : [value]).map((element) => {
    try {
      return toEnvelope(element);
    } catch (error) {
      return isClustrError(error) ? error.code : error;
    }
  });
};

describe('decodePayload and toEnvelope', () => {
  it('hands handlers meta.workerId, meta.group and data only', () => {
    const { value, last } = decodePayload(
      bytes(
        '{"meta":{"group":"ops","workerId":"w1","__proto__":{"admin":true},"x":1},"data":[1],"x":true,"ts":5}',
      ),
      false,
      1024,
    );
    const envelope = toEnvelope(value);
    expect(envelope).toEqual({ meta: { workerId: 'w1', group: 'ops' }, data: [1] });
    expect(Object.keys(envelope)).toEqual(['meta', 'data']);
    expect(Object.keys(envelope.meta)).toEqual(['workerId', 'group']);
    expect(Object.hasOwn(envelope.meta, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(envelope.meta)).toBe(Object.prototype);
    expect(last?.ts).toBe(5);
  });

  it('leaves workerId out when the sender had none', () => {
    expect(outcome('{"meta":{"group":"ops"},"data":1}')).toEqual([{ meta: { group: 'ops' }, data: 1 }]);
    expect(Object.keys(toEnvelope({ meta: { group: 'ops' }, data: 1 }).meta)).toEqual(['group']);
  });

  it('turns a bare exit code on a kill channel into an external envelope', () => {
    expect(outcome('3', true)).toEqual([{ meta: { group: 'external' }, data: 3 }]);
    expect(outcome(' 255\n', true)).toEqual([{ meta: { group: 'external' }, data: 255 }]);
  });

  it('refuses a bare number outside kill channels, and oversized payloads', () => {
    expect(() => decodePayload(bytes('3'), false, 1024)).toThrow(/envelope/);
    expect(() => decodePayload(bytes('{"meta":{"group":"ops"},"data":"long"}'), false, 10)).toThrow(
      /larger than/,
    );
  });

  it('delivers the valid envelopes of an array in order and refuses the bad ones, nested arrays included', () => {
    const array = [
      '{"meta":{"group":"ops"},"data":1}',
      '{"meta":{"group":"bad group!"},"data":2}',
      '[{"meta":{"group":"ops"},"data":3}]',
      '{"meta":{"group":"ops"}}',
      '7',
      '{"meta":{"group":"ops","workerId":"w1"},"data":4,"ts":9}',
    ];
    expect(outcome(`[${array.join(',')}]`)).toEqual([
      { meta: { group: 'ops' }, data: 1 },
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
      'ERR_CLUSTR_BAD_FRAME',
      { meta: { group: 'ops', workerId: 'w1' }, data: 4 },
    ]);
    expect(decodePayload(bytes(`[${array.join(',')}]`), false, 1024).last?.ts).toBe(9);
    expect(() => toEnvelope([])).toThrow(/an array inside an array of envelopes is refused/);
    expect(() => decodePayload(bytes('[]'), false, 1024)).toThrow(/at least one/);
  });

  it('costs a sender that published data that is not JSON only that message, not its whole array', () => {
    const text = '[{"meta":{"group":"ops"},"data":{not json},{"meta":{"group":"ops"},"data":"after","ts":3}]';
    expect(outcome(text)).toEqual(['ERR_CLUSTR_BAD_FRAME', { meta: { group: 'ops' }, data: 'after' }]);
    expect(decodePayload(bytes(text), false, 1024).last?.ts).toBe(3);
    expect(() => decodePayload(bytes('[{"meta":{"group":"ops"},"data":{not json}]'), false, 1024)).toThrow(
      /not JSON/,
    );
  });

  it('reads an array of 10,000 envelopes in one parse', () => {
    const envelopes = Array.from({ length: 10_000 }, (_, i) => `{"meta":{"group":"g"},"data":${i}}`);
    const text = `[${envelopes.join(',')}]`;
    const delivered = outcome(text, false, text.length);
    expect(delivered).toHaveLength(10_000);
    expect(delivered.map((envelope) => (envelope as { data: unknown }).data)).toEqual(
      envelopes.map((_, i) => i),
    );
  });

  it('throws nothing but ERR_CLUSTR_BAD_FRAME for arbitrary bytes, payload or element', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (input, isKill) => {
        try {
          const { value, isArray } = decodePayload(input, isKill, 1024);
          for (const element of isArray ? (value as unknown[]) : [value]) {
            try {
              const envelope = toEnvelope(element);
              expect(typeof envelope.meta.group).toBe('string');
              expect(Object.keys(envelope.meta).every((key) => key === 'workerId' || key === 'group')).toBe(
                true,
              );
            } catch (error) {
              expect(isClustrError(error) && error.code === 'ERR_CLUSTR_BAD_FRAME').toBe(true);
            }
          }
        } catch (error) {
          expect(isClustrError(error) && error.code === 'ERR_CLUSTR_BAD_FRAME').toBe(true);
        }
      }),
    );
  });

  it('checks envelope after envelope as toEnvelope does, though it skips the name checks of a meta it saw last', () => {
    const metaArb = fc.oneof(
      fc.constantFrom({ group: 'ops' }, { group: 'ops', workerId: 'w1' }, { group: 'web', workerId: 'w1' }),
      fc.record(
        {
          group: fc.oneof(fc.constant('ops'), fc.string()),
          workerId: fc.oneof(fc.constant('w1'), fc.string()),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const elementArb = fc.oneof(
      fc.record({ meta: metaArb, data: fc.jsonValue() }, { requiredKeys: ['meta'] }),
      fc.anything(),
    );
    const result = (check: () => unknown) => {
      try {
        return check();
      } catch (error) {
        return isClustrError(error) ? error.code : error;
      }
    };
    fc.assert(
      fc.property(fc.array(elementArb, { maxLength: 20 }), (elements) => {
        const checker = new EnvelopeChecker();
        for (const element of elements)
          expect(result(() => checker.check(element))).toEqual(result(() => toEnvelope(element)));
      }),
      { numRuns: 2000 },
    );
  });
});
