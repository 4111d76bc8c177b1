import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from './deadlines.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Deadlines', () => {
  it('expires each id once its timeout passed, in order, with one timer per length', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const expired: number[] = [];
    const deadlines = new Deadlines((id) => expired.push(id));
    deadlines.add(1, 100);
    vi.advanceTimersByTime(40);
    deadlines.add(2, 100);
    deadlines.add(3, 30);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(30);
    expect(expired).toEqual([3]);
    vi.advanceTimersByTime(30);
    expect(expired).toEqual([3, 1]);
    vi.advanceTimersByTime(40);
    expect(expired).toEqual([3, 1, 2]);
    // Drained: no timer left behind.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds the process only while asked, and stops everything on clear', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const expired: number[] = [];
    const deadlines = new Deadlines((id) => expired.push(id));
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    deadlines.add(1, 50);
    const timer = timeout.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    deadlines.hold(true);
    expect(timer.hasRef()).toBe(true);
    deadlines.hold(false);
    expect(timer.hasRef()).toBe(false);
    deadlines.clear();
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([]);
  });
});
