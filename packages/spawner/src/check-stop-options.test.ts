import { isClustrError } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import { checkStopOptions } from './check-stop-options.js';

const defaults = { signal: 'SIGTERM', timeoutMs: 5_000 } as const;

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isClustrError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ClustrError, nothing was thrown');
}

describe('checkStopOptions', () => {
  it('fills in the defaults and keeps valid values', () => {
    expect(checkStopOptions(undefined, defaults)).toEqual(defaults);
    expect(checkStopOptions({}, defaults)).toEqual(defaults);
    expect(checkStopOptions({ signal: undefined, timeoutMs: undefined }, defaults)).toEqual(defaults);
    expect(checkStopOptions({ signal: 'SIGKILL', timeoutMs: 0 }, defaults)).toEqual({
      signal: 'SIGKILL',
      timeoutMs: 0,
    });
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'stop options null is not valid (allowed: undefined or an object'],
    ['a string', 'SIGKILL', 'stop options "SIGKILL" is not valid'],
    ['a number', 5, 'stop options 5 is not valid'],
    ['an array', [], 'stop options'],
    ['an unknown option', { timeout: 10 }, 'stop option timeout 10 is not valid (allowed: no such option'],
    [
      'a signal that is no signal',
      { signal: 'SIGNOPE' },
      `stop option signal "SIGNOPE" is not valid (allowed: a signal name`,
    ],
    ['an inherited property as signal', { signal: 'toString' }, 'stop option signal "toString"'],
    ['a signal number', { signal: 9 }, 'stop option signal 9 is not valid'],
    ['a null signal', { signal: null }, 'stop option signal null is not valid'],
    [
      'a negative timeout',
      { timeoutMs: -1 },
      'stop option timeoutMs -1 is not valid (allowed: an integer number of milliseconds from 0',
    ],
    ['a fractional timeout', { timeoutMs: 1.5 }, 'stop option timeoutMs 1.5 is not valid'],
    ['an infinite timeout', { timeoutMs: Number.POSITIVE_INFINITY }, 'stop option timeoutMs'],
    ['a NaN timeout', { timeoutMs: Number.NaN }, 'stop option timeoutMs'],
    ['a string timeout', { timeoutMs: '100' }, 'stop option timeoutMs "100" is not valid'],
    ['a timeout past the timer limit', { timeoutMs: 2 ** 31 }, 'stop option timeoutMs 2147483648'],
  ])('refuses %s with ERR_CLUSTR_INVALID_OPTION naming it', (_name, options, message) => {
    const error = refusal(() => checkStopOptions(options, defaults));
    expect(error.code).toBe('ERR_CLUSTR_INVALID_OPTION');
    expect(error.message).toContain(message);
  });
});
