import type { ClustrError } from '@clustr/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckTracker } from './ack-tracker.js';

describe('AckTracker', () => {
  it('never gives two copies of the module the same subscription id', async () => {
    const first = await import('./ack-tracker.js');
    vi.resetModules();
    const second = await import('./ack-tracker.js');
    expect(second.AckTracker).not.toBe(first.AckTracker);
    const ids = [new first.AckTracker(1000), new second.AckTracker(1000), new first.AckTracker(1000)].map(
      (tracker) => tracker.open(['x']),
    );
    expect(new Set(ids).size).toBe(3);
  });

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a wait on a timed-out sub at once, also a second one after the expiry', async () => {
    const tracker = new AckTracker(100);
    const id = tracker.open(['x']);
    const first: (ClustrError | undefined)[] = [];
    tracker.whenAcked([id], (error) => first.push(error));
    vi.advanceTimersByTime(100);
    expect(first.map((error) => error?.code)).toEqual(['ERR_CLUSTR_TIMEOUT']);

    const second: (ClustrError | undefined)[] = [];
    tracker.whenAcked([id], (error) => second.push(error));
    expect(second.map((error) => error?.code)).toEqual(['ERR_CLUSTR_TIMEOUT']);
    await expect(tracker.waitFor([id])).rejects.toMatchObject({ code: 'ERR_CLUSTR_TIMEOUT' });
  });

  it('fails a wait naming an open and a timed-out sub at once, and only once', () => {
    const tracker = new AckTracker(100);
    const expired = tracker.open(['x']);
    vi.advanceTimersByTime(100);
    const open = tracker.open(['y']);
    const settled: (ClustrError | undefined)[] = [];
    tracker.whenAcked([open, expired], (error) => settled.push(error));
    tracker.ack(open);
    expect(settled.map((error) => error?.code)).toEqual(['ERR_CLUSTR_TIMEOUT']);
  });

  it('leaves timed-out subs out of openIds', () => {
    const tracker = new AckTracker(100);
    const expired = tracker.open(['x']);
    vi.advanceTimersByTime(50);
    const open = tracker.open(['y']);
    vi.advanceTimersByTime(50);
    expect(tracker.openIds()).toEqual([open]);
    expect(tracker.openIds()).not.toContain(expired);
  });

  it('reports the expiry with the id and channels before failing the waiters', () => {
    const events: string[] = [];
    const tracker = new AckTracker(100, (id, channels) => events.push(`expired ${id} ${channels.join()}`));
    const id = tracker.open(['x', 'y']);
    tracker.whenAcked([id], (error) => events.push(`settled ${error?.code}`));
    vi.advanceTimersByTime(100);
    expect(events).toEqual([`expired ${id} x,y`, 'settled ERR_CLUSTR_TIMEOUT']);
  });

  it('returns the channels of a late ack without settling the failed waiters again', () => {
    const tracker = new AckTracker(100);
    const id = tracker.open(['x']);
    const settled: (ClustrError | undefined)[] = [];
    tracker.whenAcked([id], (error) => settled.push(error));
    vi.advanceTimersByTime(100);
    expect(tracker.ack(id)).toEqual(['x']);
    expect(settled).toHaveLength(1);
    expect(tracker.openIds()).toEqual([]);
  });
});
