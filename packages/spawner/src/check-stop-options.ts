import { constants } from 'node:os';
import { ClustrError } from '@clustr/protocol';
import { checkDuration, describeValue, refuseUnknownKeys } from '@clustr/protocol/internal';
import { isRecord } from './option-checks.js';
import type { StopOptions } from './worker-handle.js';

/** {@link StopOptions} with every default filled in. */
export interface NormalizedStopOptions {
  readonly signal: NodeJS.Signals;
  readonly timeoutMs: number;
}

const STOP_OPTION_NAMES: ReadonlySet<string> = new Set(['signal', 'timeoutMs']);

/**
 * Checks the argument of `WorkerHandle.stop()`: `undefined` or an object whose `signal` is a
 * signal name of this platform and whose `timeoutMs` is an integer from 0 to the timer limit;
 * unknown options are refused, so a typo is not silently ignored.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` naming the value and what is allowed
 */
export function checkStopOptions(options: unknown, defaults: NormalizedStopOptions): NormalizedStopOptions {
  if (options === undefined) return defaults;
  if (!isRecord(options)) {
    throw invalidStopOption('options', options, 'undefined or an object { signal?, timeoutMs? }');
  }
  refuseUnknownKeys(options, STOP_OPTION_NAMES, 'stop option');
  const { signal = defaults.signal } = options;
  if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) {
    throw invalidStopOption('signal', signal, "a signal name such as 'SIGTERM'");
  }
  const timeoutMs = checkDuration('stop option timeoutMs', options.timeoutMs, defaults.timeoutMs);
  return { signal: signal as NodeJS.Signals, timeoutMs };
}

function invalidStopOption(name: string, value: unknown, allowed: string): ClustrError {
  const what = name === 'options' ? 'stop options' : `stop option ${name}`;
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${what} ${describeValue(value)} is not valid (allowed: ${allowed})`,
    { details: { option: name, value } },
  );
}
