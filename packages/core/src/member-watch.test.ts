import { describe, expect, it } from 'vitest';
import { memberRecord } from '../test/member-record.js';
import { MemberWatch } from './member-watch.js';
import type { Member, MemberStats } from './presence-types.js';

function stats(messagesIn: number, messagesOut: number): MemberStats {
  return {
    rss: 1,
    cpuPercent: 0,
    eventLoopDelayP99Ms: 0,
    messagesIn,
    messagesOut,
    bytesIn: messagesIn * 10,
    bytesOut: messagesOut * 10,
    queuedBytes: 0,
    errors: 0,
  };
}

function member(id: string, memberStats?: MemberStats): Member {
  return memberRecord(id, memberStats === undefined ? {} : { stats: memberStats });
}

describe('MemberWatch', () => {
  it('rates a member from its two latest heartbeats and the time between their arrivals', () => {
    const watch = new MemberWatch();
    watch.sample('a', stats(0, 0), 1_000);
    watch.sample('a', stats(50, 20), 1_500);
    const [view] = watch.view([member('a', stats(50, 20))]).members;
    expect(view?.rates).toEqual({
      messagesInPerSec: 100,
      messagesOutPerSec: 40,
      bytesInPerSec: 1000,
      bytesOutPerSec: 400,
    });
  });

  it('skips a heartbeat too close to the latest (an answer to a hello) and rates over the earlier one', () => {
    const watch = new MemberWatch();
    watch.sample('a', stats(0, 0), 0);
    watch.sample('a', stats(90, 0), 900);
    watch.sample('a', stats(100, 0), 1_000);
    expect(watch.view([member('a', stats(100, 0))]).members[0]?.rates?.messagesInPerSec).toBe(100);
  });

  it('gives no rate from a heartbeat the record does not show (one presence refused), nor from one alone', () => {
    const watch = new MemberWatch();
    watch.sample('a', stats(0, 0), 0);
    watch.sample('a', stats(999, 0), 1_000);
    watch.sample('b', stats(5, 0), 1_000);
    const { members } = watch.view([member('a', stats(10, 0)), member('b', stats(5, 0)), member('c')]);
    expect(members.map((m) => m.rates)).toEqual([undefined, undefined, undefined]);
  });

  it('starts afresh when the counters go back (a new incarnation with the same id)', () => {
    const watch = new MemberWatch();
    watch.sample('a', stats(500, 0), 0);
    watch.sample('a', stats(3, 0), 1_000);
    expect(watch.view([member('a', stats(3, 0))]).members[0]?.rates).toBeUndefined();
    watch.sample('a', stats(13, 0), 2_000);
    expect(watch.view([member('a', stats(13, 0))]).members[0]?.rates?.messagesInPerSec).toBe(10);
  });

  it('reads the counters of a heartbeat message as it arrived, ignoring what is not one', () => {
    const watch = new MemberWatch();
    watch.heard({ beat: member('a', stats(0, 0)) }, 0);
    watch.heard({ beat: { id: 'a' } }, 500);
    watch.heard({ hello: { id: 'x' } }, 600);
    watch.heard({ beat: member('a', stats(0, 10)) }, 1_000);
    expect(watch.view([member('a', stats(0, 10))]).members[0]?.rates?.messagesOutPerSec).toBe(10);
  });

  it('keeps who left, with the reason, for ten seconds', () => {
    const watch = new MemberWatch();
    watch.leave(member('a'), { kind: 'exit', code: 3, signal: null }, 1_000);
    expect(watch.view([], 10_999).left).toEqual([
      { member: member('a'), reason: { kind: 'exit', code: 3, signal: null }, leftAt: 1_000 },
    ]);
    expect(watch.view([], 11_000).left).toEqual([]);
  });

  it('forgets that a member left once it is back (it timed out, then its heartbeats came back)', () => {
    const watch = new MemberWatch();
    watch.leave(member('a'), { kind: 'timeout' }, 1_000);
    expect(watch.view([member('a')], 2_000).left).toEqual([]);
    expect(watch.view([], 3_000).left).toEqual([]);
  });
});
