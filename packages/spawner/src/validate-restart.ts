import {
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_INITIAL_DELAY_MS,
  DEFAULT_RESTART_MAX_DELAY_MS,
  DEFAULT_RESTART_POLICY,
  DEFAULT_RESTART_RESET_AFTER_MS,
  DEFAULT_RESTART_WINDOW_MS,
} from './defaults.js';
import { checkChoice, checkCount, checkMs, invalidOption, isRecord } from './option-checks.js';
import type { NormalizedRestartOptions, RestartPolicy } from './spawn-spec.js';

/** Every restart policy. */
export const RESTART_POLICIES: readonly RestartPolicy[] = ['on-failure', 'always', 'never'];

const RESTART_KEYS = new Set([
  'policy',
  'initialDelayMs',
  'maxDelayMs',
  'resetAfterMs',
  'maxRestarts',
  'windowMs',
]);

/** Validates a spec's `restart` (a policy or options) and fills in the defaults. */
export function validateRestart(index: number, value: unknown): NormalizedRestartOptions {
  const options = typeof value === 'string' || value === undefined ? { policy: value } : value;
  if (!isRecord(options)) {
    throw invalidOption(
      { index, name: 'restart' },
      value,
      `a policy (${RESTART_POLICIES.join(', ')}) or restart options`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!RESTART_KEYS.has(key)) {
      throw invalidOption(
        { index, name: `restart.${key}` },
        options[key],
        `no such option; known: ${[...RESTART_KEYS].join(', ')}`,
      );
    }
  }
  const at = (name: string) => ({ index, name: `restart.${name}` });
  const initialDelayMs = checkMs(
    at('initialDelayMs'),
    options.initialDelayMs,
    DEFAULT_RESTART_INITIAL_DELAY_MS,
  );
  const maxDelayMs = checkMs(
    at('maxDelayMs'),
    options.maxDelayMs,
    Math.max(DEFAULT_RESTART_MAX_DELAY_MS, initialDelayMs),
    initialDelayMs,
  );
  return Object.freeze({
    policy: checkChoice(at('policy'), options.policy, RESTART_POLICIES, DEFAULT_RESTART_POLICY),
    initialDelayMs,
    maxDelayMs,
    resetAfterMs: checkMs(at('resetAfterMs'), options.resetAfterMs, DEFAULT_RESTART_RESET_AFTER_MS),
    maxRestarts: checkCount(at('maxRestarts'), options.maxRestarts, DEFAULT_MAX_RESTARTS),
    windowMs: checkMs(at('windowMs'), options.windowMs, DEFAULT_RESTART_WINDOW_MS, 1),
  });
}
