import type { ClustrError } from '@clustr/protocol';
import {
  checkDuration,
  checkPositiveInteger,
  invalidOptionError,
  isOptionsObject,
} from '@clustr/protocol/internal';

/** Largest delay `setTimeout` honours: the protocol's rule, kept under the spawner's old name. */
export { MAX_TIMER_MS } from '@clustr/protocol/internal';

/** Where in the spec list a value sits, for error messages: `spawn spec 2: restart.maxDelayMs`. */
export interface OptionPath {
  readonly index: number;
  readonly name: string;
}

function optionName(at: OptionPath): string {
  return `spawn spec ${at.index}: ${at.name}`;
}

/** An `ERR_CLUSTR_INVALID_OPTION` naming the spec, the option, the value and what is allowed. */
export function invalidOption(at: OptionPath, value: unknown, allowed: string): ClustrError {
  return invalidOptionError(optionName(at), value, allowed, { index: at.index, option: at.name });
}

/** True for a plain object (not an array, not null). */
export const isRecord = isOptionsObject;

/** A whole number of milliseconds from `min` to the timer limit, or the default when undefined. */
export function checkMs(at: OptionPath, value: unknown, fallback: number, min = 0): number {
  return checkDuration(optionName(at), value, fallback, min);
}

/** A non-negative integer, or the default when undefined. */
export function checkCount(at: OptionPath, value: unknown, fallback: number, min = 0): number {
  return checkPositiveInteger(optionName(at), value, fallback, min);
}

/** One of `choices`, or the default when undefined. */
export function checkChoice<T extends string>(
  at: OptionPath,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw invalidOption(at, value, choices.map((choice) => `'${choice}'`).join(', '));
}

/** An array of strings (copied), or `[]` when undefined. */
export function checkStringArray(at: OptionPath, value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && !item.includes('\0'))) {
    return [...value];
  }
  throw invalidOption(at, value, 'an array of strings');
}

/** A record of string values (copied), or `{}` when undefined. */
export function checkEnv(at: OptionPath, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (isRecord(value)) {
    const env: Record<string, string> = {};
    let valid = true;
    for (const [key, item] of Object.entries(value)) {
      if (
        typeof item !== 'string' ||
        key === '' ||
        key.includes('=') ||
        key.includes('\0') ||
        item.includes('\0')
      ) {
        valid = false;
        break;
      }
      env[key] = item;
    }
    if (valid) return env;
  }
  throw invalidOption(
    at,
    value,
    'an object of string values, names without "=" (e.g. { LOG_LEVEL: "debug" })',
  );
}
