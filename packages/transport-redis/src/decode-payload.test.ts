import { isClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, EnvelopeChecker, toEnvelope } from './decode-payload.js';
import { PayloadDelivery } from './payload-delivery.js';
import { resolveRedisOptions } from './redis-transport-options.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/**
 * What a subscriber makes of a payload, in order: each message delivered (as handlers get it), or
 * the code of the report that dropped it (one for a whole payload).
 */
const outcome = (text: string | Uint8Array, isKill = false, maxBytes = 1024) => {
  const seen: unknown[] = [];
  const delivery = new PayloadDelivery(resolveRedisOptions({ maxPayloadBytes: maxBytes }, {}), {
    deliver: (_channel, envelope) => seen.push(envelope),
    report: (error) => seen.push(error),
    reportFrame: (_source, error) => seen.push(error.code),
  });
  delivery.receive('public', typeof text === 'string' ? bytes(text) : text, isKill);
  return seen;
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

  it('delivers a run in order, each message with a meta of its own', () => {
    const delivered = outcome(
      '{"meta":{"group":"ops","workerId":"w1"},"run":[1,\n{"a":2},\n"three"],"src":"s","seq":3}',
    );
    expect(delivered).toEqual([
      { meta: { workerId: 'w1', group: 'ops' }, data: 1 },
      { meta: { workerId: 'w1', group: 'ops' }, data: { a: 2 } },
      { meta: { workerId: 'w1', group: 'ops' }, data: 'three' },
    ]);
    const metas = delivered.map((envelope) => (envelope as { meta: object }).meta);
    expect(new Set(metas).size).toBe(3);
    expect(decodePayload(bytes('{"meta":{"group":"ops"},"run":[1,2],"ts":4}'), false, 1024)).toMatchObject({
      form: 'run',
      count: 2,
      last: { ts: 4 },
    });
  });

  it('refuses a run that is empty, not an array, carries data too, or has a bad meta', () => {
    expect(outcome('{"meta":{"group":"ops"},"run":[]}')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(outcome('{"meta":{"group":"ops"},"run":{"a":1}}')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(outcome('{"meta":{"group":"ops"},"run":[1],"data":2}')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(outcome('{"meta":{"group":"bad group!"},"run":[1,2,3]}')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
    expect(outcome('[{"meta":{"group":"ops"},"run":[1]}]')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
  });

  it('costs a sender that published data that is not JSON only that message, not its whole run', () => {
    const text = '{"meta":{"group":"ops"},"run":[1,\n{not json},\n3],"src":"s","seq":3,"ts":8}';
    expect(outcome(text)).toEqual([
      { meta: { group: 'ops' }, data: 1 },
      'ERR_CLUSTR_BAD_FRAME',
      { meta: { group: 'ops' }, data: 3 },
    ]);
    expect(decodePayload(bytes(text), false, 1024)).toMatchObject({ count: 3, last: { seq: 3, ts: 8 } });
    expect(outcome('{"meta":{"group":"ops"},"run":[1,{not json}')).toEqual(['ERR_CLUSTR_BAD_FRAME']);
  });

  it('reads a run of 10,000 messages in one parse', () => {
    const text = `{"meta":{"group":"g"},"run":[${Array.from({ length: 10_000 }, (_, i) => i).join(',\n')}]}`;
    const delivered = outcome(text, false, text.length);
    expect(delivered.map((envelope) => (envelope as { data: unknown }).data)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => i),
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

  it('throws nothing and reports only ERR_CLUSTR_BAD_FRAME for arbitrary bytes, payload or message', () => {
    const framed = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc
        .tuple(
          fc.string({ maxLength: 30 }),
          fc.constantFrom('{"meta":', '[{"meta":', '{"meta":{"group":"ops"},"run":['),
        )
        .map(([tail, head]) => bytes(head + tail)),
    );
    fc.assert(
      fc.property(framed, fc.boolean(), (input, isKill) => {
        for (const seen of outcome(input, isKill)) {
          if (typeof seen === 'string') expect(seen).toBe('ERR_CLUSTR_BAD_FRAME');
          else {
            const { meta } = seen as { meta: Record<string, unknown> };
            expect(typeof meta.group).toBe('string');
            expect(Object.keys(meta).every((key) => key === 'workerId' || key === 'group')).toBe(true);
          }
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
        for (const [i, element] of elements.entries()) {
          if (i % 3 === 2) {
            // A run's meta, checked between envelopes, takes the same verdict as an envelope's.
            const given = (element as { meta?: unknown } | null)?.meta;
            expect(result(() => checker.runMeta(given))).toEqual(
              result(() => toEnvelope({ meta: given, data: null }).meta),
            );
          } else expect(result(() => checker.check(element))).toEqual(result(() => toEnvelope(element)));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
