import { ClustrError } from './clustr-error.js';
import { describeValue } from './describe-value.js';

/**
 * The longest delay Node's timers honour, in ms: `setTimeout` turns anything larger (and
 * anything not a number) into 1 ms, so a duration past it would fire at once, not late.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * An `ERR_CLUSTR_INVALID_OPTION` that names the option, its value and what is allowed:
 * `<option> <value> is not valid (allowed: <allowed>)`. `option` carries its owner, e.g.
 * `redis transport option connectTimeoutMs` or `spawn spec 2: restart.maxDelayMs`.
 */
export function invalidOptionError(
  option: string,
  value: unknown,
  allowed: string,
  details: Readonly<Record<string, unknown>> = {},
): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${option} ${describeValue(value)} is not valid (allowed: ${allowed})`,
    { details: { option, value, ...details } },
  );
}

/** True for a plain options object: not null, not an array. */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A whole number of milliseconds from `min` to {@link MAX_TIMER_MS}, or `fallback` when
 * `value` is undefined.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming `option`
 */
export function checkDuration(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS) {
    return value;
  }
  throw invalidOptionError(option, value, `an integer number of milliseconds from ${min} to ${MAX_TIMER_MS}`);
}

/**
 * A safe integer of at least `min` (1 unless said), or `fallback` when `value` is undefined.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming `option`
 */
export function checkPositiveInteger(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  throw invalidOptionError(option, value, min === 1 ? 'a positive integer' : `an integer of at least ${min}`);
}

/**
 * `true` or `false`, or `fallback` when `value` is undefined.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming `option`
 */
export function checkBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw invalidOptionError(option, value, 'true or false');
}

/**
 * A string matching `pattern` (any string when there is none), or `fallback` when `value` is
 * undefined; `allowed` says in words what the pattern accepts.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming `option`
 */
export function checkString<T extends string | undefined>(
  option: string,
  value: unknown,
  fallback: T,
  pattern?: RegExp,
  allowed = 'a string',
): string | T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (pattern === undefined || pattern.test(value))) return value;
  throw invalidOptionError(option, value, allowed);
}

/**
 * Refuses any key of `options` that is not in `allowedKeys`, so a misspelt option (or one from
 * another transport) fails instead of being silently ignored. `what` names the owner, e.g.
 * `redis transport option`.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming the first unknown key
 */
export function refuseUnknownKeys(
  options: Readonly<Record<string, unknown>>,
  allowedKeys: Iterable<string>,
  what: string,
): void {
  const allowed = new Set(allowedKeys);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw invalidOptionError(
        `${what} ${key}`,
        options[key],
        `no such option; known: ${[...allowed].join(', ')}`,
      );
    }
  }
}
