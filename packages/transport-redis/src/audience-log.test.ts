import { describe, expect, it } from 'vitest';
import { AudienceLog, MAX_AUDIENCE_CHANNELS } from './audience-log.js';

describe('AudienceLog', () => {
  it('stays bounded after 100,000 distinct channels, keeping the most recently published', () => {
    const log = new AudienceLog();
    log.set('hot', 3);
    for (let i = 0; i < 100_000; i++) {
      log.set(`job-${i}`, 1);
      if (i % 1000 === 0) log.set('hot', 3);
    }
    expect(log.size).toBe(MAX_AUDIENCE_CHANNELS);
    expect(log.get('hot')).toBe(3);
    expect(log.get('job-99999')).toBe(1);
    expect(log.get('job-0')).toBe(0);
  });

  it('updates a channel in place without growing', () => {
    const log = new AudienceLog(2);
    log.set('a', 1);
    log.set('b', 1);
    log.set('a', 2);
    log.set('c', 1);
    expect([log.get('a'), log.get('b'), log.get('c'), log.size]).toEqual([2, 0, 1, 2]);
  });
});
