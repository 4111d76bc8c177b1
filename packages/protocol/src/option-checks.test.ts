import { describe, expect, it } from 'vitest';
import {
  checkBoolean,
  checkDuration,
  checkPositiveInteger,
  checkString,
  isOptionsObject,
  MAX_TIMER_MS,
  refuseUnknownKeys,
} from './option-checks.js';

const invalid = (message: RegExp) =>
  expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION', message: expect.stringMatching(message) });

describe('checkDuration', () => {
  it('returns the fallback for undefined and a valid value as is', () => {
    expect(checkDuration('t', undefined, 7)).toBe(7);
    expect(checkDuration('t', 0, 7)).toBe(0);
    expect(checkDuration('t', MAX_TIMER_MS, 7)).toBe(MAX_TIMER_MS);
  });

  it.each([MAX_TIMER_MS + 1, 2 ** 31, Number.POSITIVE_INFINITY, Number.NaN, 1.5, -1, '10', null])(
    'refuses %s, naming the option, the value and the cap',
    (value) => {
      expect(() => checkDuration('opt timeoutMs', value, 1)).toThrow(
        invalid(
          /^opt timeoutMs .* is not valid \(allowed: an integer number of milliseconds from 0 to 2147483647\)$/,
        ),
      );
    },
  );

  it('honours a minimum', () => {
    expect(() => checkDuration('t', 0, 5, 1)).toThrow(invalid(/from 1 to/));
  });
});

describe('checkPositiveInteger', () => {
  it('accepts safe integers from the minimum on', () => {
    expect(checkPositiveInteger('n', undefined, 3)).toBe(3);
    expect(checkPositiveInteger('n', 1, 3)).toBe(1);
    expect(checkPositiveInteger('n', 0, 3, 0)).toBe(0);
  });

  it.each([0, -1, 1.5, 2 ** 53, '1', Number.NaN])('refuses %s', (value) => {
    expect(() => checkPositiveInteger('opt n', value, 1)).toThrow(invalid(/^opt n .*a positive integer/));
  });

  it('says the minimum when it is not 1', () => {
    expect(() => checkPositiveInteger('n', 255, 1, 256)).toThrow(invalid(/an integer of at least 256/));
  });
});

describe('checkBoolean and checkString', () => {
  it('accept their type, fall back on undefined, refuse the rest', () => {
    expect(checkBoolean('b', undefined, true)).toBe(true);
    expect(checkBoolean('b', false, true)).toBe(false);
    expect(() => checkBoolean('b', 'yes', true)).toThrow(invalid(/^b "yes" .*true or false/));
    expect(checkString('s', undefined, undefined)).toBeUndefined();
    expect(checkString('s', 'ok', 'x', /^o/)).toBe('ok');
    expect(() => checkString('s', 'no', 'x', /^o/, 'starts with o')).toThrow(
      invalid(/^s "no" .*starts with o/),
    );
    expect(() => checkString('s', 1, 'x')).toThrow(invalid(/a string/));
  });
});

describe('refuseUnknownKeys', () => {
  it('passes known keys and names the first unknown one with the known list', () => {
    expect(() => refuseUnknownKeys({ url: 'x' }, ['url', 'namespace'], 'redis option')).not.toThrow();
    expect(() => refuseUnknownKeys({ url: 'x', secret: 'x' }, ['url', 'namespace'], 'redis option')).toThrow(
      invalid(/^redis option secret "x" is not valid \(allowed: no such option; known: url, namespace\)$/),
    );
  });
});

describe('isOptionsObject', () => {
  it('is true for plain objects only', () => {
    expect([{}, [], null, 'x', undefined].map(isOptionsObject)).toEqual([true, false, false, false, false]);
  });
});
