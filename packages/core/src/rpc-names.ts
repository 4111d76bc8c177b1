import { ClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/**
 * The rule for a request method's name: a letter or digit, then up to 127 letters, digits, `_`,
 * `.`, `:`, `/` or `-`. Nothing in it needs escaping in JSON, so the wire is built around it by
 * concatenation.
 */
export const METHOD_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

/** Most methods a member record may list: a peer cannot make every process keep a huge list. */
export const MAX_METHODS = 1024;

/** True when `value` is a valid method name. */
export function isMethodName(value: unknown): value is string {
  return typeof value === 'string' && METHOD_PATTERN.test(value);
}

/** Throws `ERR_CLUSTR_INVALID_OPTION` unless `value` is a valid method name. */
export function assertMethodName(value: unknown, operation: string): asserts value is string {
  if (isMethodName(value)) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${operation} method ${describeValue(value)} is not valid (1-128 characters: a letter or digit, then letters, digits, "_", ".", ":", "/" or "-")`,
    { details: { option: 'method', value } },
  );
}
