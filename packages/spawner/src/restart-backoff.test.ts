import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff.js';
import { validateRestart } from './validate-restart.js';

const crash = { code: 1, signal: null } as const;

describe('RestartBackoff', () => {
  it('doubles the delay up to the cap, resetting after a long run', () => {
    const backoff = new RestartBackoff(
      validateRestart(0, { initialDelayMs: 100, maxDelayMs: 350, resetAfterMs: 1000, maxRestarts: 100 }),
    );
    const delays = [1, 2, 3, 4].map((at) => backoff.decide(crash, 10, at));
    expect(delays).toEqual([
      { kind: 'restart', attempt: 1, delayMs: 100 },
      { kind: 'restart', attempt: 2, delayMs: 200 },
      { kind: 'restart', attempt: 3, delayMs: 350 },
      { kind: 'restart', attempt: 4, delayMs: 350 },
    ]);
    expect(backoff.decide(crash, 1000, 5)).toEqual({ kind: 'restart', attempt: 1, delayMs: 100 });
  });

  it('follows the policy: exit 0 ends on-failure, always restarts it, never restarts nothing', () => {
    const clean = { code: 0, signal: null };
    expect(new RestartBackoff(validateRestart(0, 'on-failure')).decide(clean, 1, 1).kind).toBe('done');
    expect(
      new RestartBackoff(validateRestart(0, 'on-failure')).decide({ code: null, signal: 'SIGKILL' }, 1, 1)
        .kind,
    ).toBe('restart');
    expect(new RestartBackoff(validateRestart(0, 'always')).decide(clean, 1, 1).kind).toBe('restart');
    expect(new RestartBackoff(validateRestart(0, 'never')).decide(crash, 1, 1).kind).toBe('done');
  });

  it('gives up after maxRestarts within the window, and forgets restarts older than it', () => {
    const backoff = new RestartBackoff(validateRestart(0, { maxRestarts: 2, windowMs: 1000 }));
    expect(backoff.decide(crash, 1, 0).kind).toBe('restart');
    expect(backoff.decide(crash, 1, 10).kind).toBe('restart');
    expect(backoff.decide(crash, 1, 20).kind).toBe('gave-up');
    const later = new RestartBackoff(validateRestart(0, { maxRestarts: 2, windowMs: 1000 }));
    later.decide(crash, 1, 0);
    later.decide(crash, 1, 10);
    expect(later.decide(crash, 1, 1010).kind).toBe('restart');
  });
});
