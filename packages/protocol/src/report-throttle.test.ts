import { describe, expect, it } from 'vitest';
import { ClustrError } from './clustr-error.js';
import { ReportThrottle } from './report-throttle.js';

const bad = (n: number) => new ClustrError('ERR_CLUSTR_BAD_FRAME', `bad frame ${n}`);

describe('ReportThrottle', () => {
  it('reports the first of a source at once and sums up the rest when the window ends', () => {
    const seen: ClustrError[] = [];
    const throttle = new ReportThrottle((error) => seen.push(error), 60_000);
    for (let i = 0; i < 10_000; i++) throttle.add('child-a', bad(i));
    throttle.add('child-b', bad(-1));
    expect(seen.map((error) => error.message)).toEqual(['bad frame 0', 'bad frame -1']);
    throttle.flush();
    expect(seen).toHaveLength(3);
    expect(seen[2]!.code).toBe('ERR_CLUSTR_BAD_FRAME');
    expect(seen[2]!.message).toMatch(/^9999 more like this from child-a in the last 60000 ms: bad frame 1$/);
    expect(seen[2]!.details).toMatchObject({ source: 'child-a', count: 9999 });
  });

  it('opens a new window after a flush', () => {
    const seen: ClustrError[] = [];
    const throttle = new ReportThrottle((error) => seen.push(error), 60_000);
    throttle.add('a', bad(1));
    throttle.flush();
    throttle.add('a', bad(2));
    expect(seen.map((error) => error.message)).toEqual(['bad frame 1', 'bad frame 2']);
    throttle.flush();
  });

  it('shares one entry between sources past its bound', () => {
    const seen: ClustrError[] = [];
    const throttle = new ReportThrottle((error) => seen.push(error), 60_000);
    for (let i = 0; i < 5000; i++) throttle.add(`source-${i}`, bad(i));
    // 1024 distinct sources, then one for everything past them.
    expect(seen).toHaveLength(1025);
    throttle.flush();
    expect(seen.at(-1)!.details).toMatchObject({ source: '(other sources)', count: 5000 - 1025 });
  });

  it('ends its window by itself', async () => {
    const seen: ClustrError[] = [];
    const throttle = new ReportThrottle((error) => seen.push(error), 20);
    throttle.add('a', bad(1));
    throttle.add('a', bad(2));
    await expect.poll(() => seen.length, { timeout: 2000, interval: 10 }).toBe(2);
  });
});
