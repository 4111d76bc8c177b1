import type { ClustrError } from '@clustr/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Presence } from './presence.js';
import type { LeaveReason, Member } from './presence-types.js';
import type { PresenceMessage } from './presence-wire.js';

const uuid = () => globalThis.crypto.randomUUID();

function member(workerId: string, parentId?: string): Member {
  return {
    id: workerId,
    workerId,
    group: 'web',
    host: 'h',
    pid: 1,
    command: 'node',
    file: 'w.js',
    startedAt: 1,
    restarts: 0,
    state: 'ready',
    ...(parentId === undefined ? {} : { parentId }),
  };
}

describe('Presence', () => {
  const running: Presence[] = [];
  afterEach(() => {
    for (const presence of running.splice(0)) presence.stop();
  });

  function start(selfId = uuid()) {
    const sent: PresenceMessage[] = [];
    const errors: ClustrError[] = [];
    const left: [string, LeaveReason][] = [];
    const presence = new Presence(
      {
        publish: (message) => sent.push(message),
        report: (error) => errors.push(error),
        self: () => member(selfId),
        announced: () => [],
      },
      { intervalMs: 60_000, timeoutMs: 120_000 },
    );
    presence.onLeave((gone, reason) => left.push([gone.id, reason]));
    presence.start();
    running.push(presence);
    const from = (workerId: string | undefined, data: PresenceMessage) =>
      presence.receive({
        meta: workerId === undefined ? { group: 'master' } : { workerId, group: 'web' },
        data,
      });
    return { presence, sent, errors, left, from, selfId };
  }

  it('takes a member’s word for itself, a parent’s for its child, a master’s for anyone; refuses the rest', () => {
    const { presence, errors, left, from, selfId } = start();
    const parent = uuid();
    const child = uuid();
    const stranger = uuid();
    from(parent, { beat: member(parent) });
    from(parent, { beat: member(child, parent) });
    from(stranger, { beat: member(uuid()) });
    expect(
      presence
        .members()
        .map((m) => m.id)
        .sort(),
    ).toEqual([child, parent, selfId].sort());
    expect(errors).toHaveLength(1);
    from(stranger, { leave: { id: parent, reason: { kind: 'closed' } } });
    expect(errors).toHaveLength(2);
    from(parent, { leave: { id: child, reason: { kind: 'exit', code: 1, signal: null } } });
    from(undefined, { leave: { id: parent, reason: { kind: 'closed' } } });
    expect(left).toEqual([
      [child, { kind: 'exit', code: 1, signal: null }],
      [parent, { kind: 'closed' }],
    ]);
  });

  it('answers a hello with its heartbeat, and says goodbye with the reason it leaves for', () => {
    const { presence, sent, from, selfId } = start();
    from(uuid(), { hello: { id: uuid() } });
    expect(sent.map((m) => Object.keys(m)[0])).toEqual(['hello', 'beat', 'beat']);
    running.splice(0);
    presence.stop({ kind: 'exit', code: 3, signal: null });
    expect(sent.at(-1)).toEqual({
      leave: { id: selfId, reason: { kind: 'exit', code: 3, signal: null }, startedAt: expect.any(Number) },
    });
  });

  it('does not bring back a member that left when a late heartbeat of the same run arrives', () => {
    const { presence, from } = start();
    const worker = uuid();
    from(worker, { beat: member(worker) });
    from(worker, { leave: { id: worker, reason: { kind: 'closed' } } });
    from(worker, { beat: member(worker) });
    expect(presence.members().some((m) => m.id === worker)).toBe(false);
    from(worker, { beat: { ...member(worker), startedAt: 2 } });
    expect(presence.members().some((m) => m.id === worker)).toBe(true);
  });

  it('lets a member that timed out rejoin when its heartbeats come back (a partition healed)', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    try {
      const { presence, left, from } = start();
      const joined: string[] = [];
      presence.onJoin((m) => joined.push(m.id));
      const worker = uuid();
      from(worker, { beat: member(worker) });
      vi.advanceTimersByTime(180_000);
      expect(left).toEqual([[worker, { kind: 'timeout' }]]);
      // The same run, heard again: nobody saw it go, so it is back.
      from(worker, { beat: member(worker) });
      expect(joined).toEqual([worker, worker]);
      expect(presence.members().some((m) => m.id === worker)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('replaces a member by its next incarnation (a reload): leave "reload" then join; the old one\'s late beats and goodbye change nothing', () => {
    const { presence, left, from } = start();
    const joined: Member[] = [];
    presence.onJoin((m) => joined.push(m));
    const worker = uuid();
    const old = { ...member(worker), pid: 10, startedAt: 1 };
    const next = { ...member(worker), pid: 11, startedAt: 2, restarts: 1 };
    from(worker, { beat: old });
    from(worker, { beat: next });
    expect(left).toEqual([[worker, { kind: 'reload' }]]);
    expect(joined.map((m) => m.pid)).toEqual([10, 11]);
    // The overlap: the old incarnation still beats (now leaving), then says goodbye.
    from(worker, { beat: { ...old, state: 'leaving' } });
    from(worker, { leave: { id: worker, reason: { kind: 'reload' }, startedAt: 1 } });
    expect(presence.members().filter((m) => m.id === worker)).toEqual([next]);
    expect(left).toHaveLength(1);
    // The new incarnation's own goodbye still ends it.
    from(worker, { leave: { id: worker, reason: { kind: 'closed' }, startedAt: 2 } });
    expect(presence.members().some((m) => m.id === worker)).toBe(false);
  });
});
