import type { ClustrError } from '@clustr/protocol';
import { describe, expect, it, vi } from 'vitest';
import { GapTracker } from './gap-tracker.js';
import { LossReports } from './loss-reports.js';
import { createSenderNumbering, MAX_NUMBERED_CHANNELS } from './sender-numbering.js';

describe('GapTracker', () => {
  it('counts exactly the numbers skipped between payloads of one sender on one channel', () => {
    const gaps = new GapTracker();
    expect(gaps.observe('a', 's1', 5, 5)).toBe(0); // first heard: 1…5, nothing known before
    expect(gaps.observe('a', 's1', 6, 1)).toBe(0);
    expect(gaps.observe('a', 's1', 20, 4)).toBe(10); // 17…20 arrived: 7…16 are missing
    expect(gaps.observe('b', 's1', 3, 1)).toBe(0); // another channel, its own numbering
    expect(gaps.observe('a', 's2', 9, 1)).toBe(0); // another sender (a restart: a new incarnation)
    expect(gaps.observe('a', 's1', 21, 1)).toBe(0);
  });

  it('takes a number that goes back for a new start, never a loss', () => {
    const gaps = new GapTracker();
    gaps.observe('a', 's1', 100, 1);
    expect(gaps.observe('a', 's1', 1, 1)).toBe(0);
    expect(gaps.observe('a', 's1', 2, 1)).toBe(0);
    expect(gaps.observe('a', 's1', 5, 1)).toBe(2);
  });

  it('ignores payloads without numbers or with numbers the wire does not allow', () => {
    const gaps = new GapTracker();
    for (const [src, seq, count] of [
      [undefined, 1, 1],
      ['', 1, 1],
      ['x'.repeat(65), 1, 1],
      ['s', '3', 1],
      ['s', 1.5, 1],
      ['s', 2, 3],
      [7, 1, 1],
    ] as const) {
      expect(gaps.observe('a', src, seq, count)).toBe(0);
    }
    expect(gaps.size).toBe(0);
  });

  it('forgets a channel it unsubscribed from: no gap across the time it was away', () => {
    const gaps = new GapTracker();
    gaps.observe('a', 's1', 1, 1);
    gaps.observe('b', 's1', 1, 1);
    gaps.forget('a');
    expect(gaps.observe('a', 's1', 50, 1)).toBe(0);
    expect(gaps.observe('b', 's1', 3, 1)).toBe(1);
  });

  it('stays bounded when a hostile sender invents incarnations, keeping those heard most recently', () => {
    const gaps = new GapTracker(100);
    gaps.observe('a', 'honest', 1, 1);
    for (let i = 0; i < 10_000; i++) {
      gaps.observe('a', `fake-${i}`, 1, 1);
      if (i % 50 === 0) gaps.observe('a', 'honest', 2 + i / 50, 1);
    }
    expect(gaps.size).toBe(100);
    // The honest sender, heard all along, is still followed: its next gap is seen.
    expect(gaps.observe('a', 'honest', 2 + 10_000 / 50 + 5, 1)).toBe(5);
  });
});

describe('createSenderNumbering', () => {
  it('numbers each channel from 1, per payload, with a random incarnation per instance', () => {
    const numbering = createSenderNumbering();
    expect(numbering.src).toMatch(/^[\w-]{12}$/);
    expect(createSenderNumbering().src).not.toBe(numbering.src);
    expect(numbering.take('a', 3)).toBe(3);
    expect(numbering.take('b', 1)).toBe(1);
    expect(numbering.take('a', 2)).toBe(5);
  });

  it('forgets the least recently used channel past its bound (that channel starts over at 1)', () => {
    const numbering = createSenderNumbering();
    numbering.take('first', 7);
    for (let i = 0; i < MAX_NUMBERED_CHANNELS; i++) numbering.take(`c${i}`, 1);
    expect(numbering.take('first', 1)).toBe(1);
  });
});

describe('LossReports', () => {
  it('reports the first gap at once, sums the rest per window, and the counts add up exactly', () => {
    vi.useFakeTimers();
    try {
      const reports: ClustrError[] = [];
      const losses = new LossReports((error) => reports.push(error), 1000);
      losses.add('s1', 'ns:a', 3);
      losses.add('s1', 'ns:a', 4);
      losses.add('s1', 'ns:a', 5);
      losses.add('s2', 'ns:a', 1);
      expect(reports.map((r) => r.details)).toEqual([
        { sender: 's1', channel: 'ns:a', count: 3 },
        { sender: 's2', channel: 'ns:a', count: 1 },
      ]);
      vi.advanceTimersByTime(1000);
      expect(reports.at(-1)).toMatchObject({
        code: 'ERR_CLUSTR_MESSAGES_LOST',
        message: expect.stringMatching(/^9 more messages of sender s1 on redis channel "ns:a" never arrived/),
        details: { sender: 's1', channel: 'ns:a', count: 9 },
      });
      // A quiet window ends the episode: the next gap is reported at once again.
      vi.advanceTimersByTime(2000);
      losses.add('s1', 'ns:a', 2);
      expect(reports).toHaveLength(4);
      losses.close();
      expect(reports.reduce((sum, r) => sum + (r.details?.count as number), 0)).toBe(15);
    } finally {
      vi.useRealTimers();
    }
  });
});
