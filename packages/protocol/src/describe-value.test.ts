import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.js';

describe('describeValue', () => {
  it.each<[unknown, string]>([
    ['web', '"web"'],
    ['say "hi"', '"say \\"hi\\""'],
    [9, '9'],
    [-1.5, '-1.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n (a BigInt)'],
    [Symbol('tag'), 'a symbol (tag)'],
    [Symbol(), 'a symbol ()'],
    [[1, 2, 3], 'an array of 3'],
    [{ cpu: 9 }, '{"cpu":9}'],
  ])('renders %s as %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  it('names functions', () => {
    expect(describeValue(function handler() {})).toBe('a function (handler)');
    expect(describeValue(Object.defineProperty(() => {}, 'name', { value: '' }))).toBe('a function');
  });

  it('cuts long strings and objects at 60 characters', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
    expect(describeValue('x'.repeat(60))).toBe(`"${'x'.repeat(60)}"`);
    const shown = describeValue({ text: 'y'.repeat(100) });
    expect(shown).toHaveLength(61);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('never throws, even on values JSON cannot show', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(describeValue(cycle)).toBe('an object');
    expect(describeValue({ big: 1n })).toBe('an object');
    expect(describeValue({ toJSON: () => undefined })).toBe('an object');
    expect(
      describeValue({
        toJSON: () => {
          throw new Error('no');
        },
      }),
    ).toBe('an object');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe('an object');
  });
});
