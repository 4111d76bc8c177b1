import { ClustrError, type Transport } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import {
  initialProcessState,
  isClosing,
  nextProcessState,
  type ProcessEvent,
  type ProcessState,
} from './process-state.js';

// Only carried and compared by identity: the transitions never call the transport.
const transport = { name: 'given' } as Transport;
const restored = { name: 'restored' } as Transport;
const reason = new ClustrError('ERR_CLUSTR_TRANSPORT', 'connect failed');
const done = Promise.resolve();
const later = Promise.resolve();
const close = { kind: 'close' } as const;
const kill = { kind: 'kill', code: 3, from: { group: 'master' } } as const;

const walk = (from: ProcessState, ...events: ProcessEvent[]): ProcessState =>
  events.reduce(nextProcessState, from);
const given = () => initialProcessState(transport);
const inheriting = () => initialProcessState(undefined);

const every: ProcessEvent[] = [
  { type: 'restored', transport: restored },
  { type: 'joined' },
  { type: 'failed', reason },
  { type: 'close', done: later, reason: kill },
  { type: 'leave' },
  { type: 'closed' },
];

describe('nextProcessState', () => {
  it('starts joining over the given transport, or none yet when it inherits one, with an empty queue', () => {
    expect(given()).toEqual({ kind: 'joining', transport, pending: [] });
    expect(inheriting()).toEqual({ kind: 'joining', transport: undefined, pending: [] });
    expect(given().pending).not.toBe(given().pending);
  });

  it('joins: joining → ready over its transport', () => {
    expect(walk(given(), { type: 'joined' })).toEqual({ kind: 'ready', transport });
  });

  it('takes a restored transport once, keeping what was queued meanwhile, then joins over it', () => {
    const joining = inheriting();
    joining.pending.push(['public', '1']);
    const withTransport = walk(joining, { type: 'restored', transport: restored });
    expect(withTransport).toEqual({ kind: 'joining', transport: restored, pending: [['public', '1']] });
    expect(withTransport.kind === 'joining' && withTransport.pending).toBe(joining.pending);
    expect(walk(withTransport, { type: 'joined' })).toEqual({ kind: 'ready', transport: restored });
  });

  it('ignores a second transport and a join without any transport', () => {
    const joining = given();
    expect(nextProcessState(joining, { type: 'restored', transport: restored })).toBe(joining);
    const waiting = inheriting();
    expect(nextProcessState(waiting, { type: 'joined' })).toBe(waiting);
  });

  it('fails while joining, dropping the queue and keeping the reason and the transport', () => {
    expect(walk(given(), { type: 'failed', reason })).toEqual({ kind: 'failed', transport, reason });
    expect(walk(inheriting(), { type: 'failed', reason })).toEqual({
      kind: 'failed',
      transport: undefined,
      reason,
    });
  });

  it('ignores what joining still reports once ready or failed', () => {
    const ready = walk(given(), { type: 'joined' });
    const failed = walk(given(), { type: 'failed', reason });
    for (const from of [ready, failed]) {
      for (const event of every.slice(0, 3)) expect(nextProcessState(from, event)).toBe(from);
      expect(nextProcessState(from, { type: 'closed' })).toBe(from);
      expect(nextProcessState(from, { type: 'leave' })).toBe(from);
    }
  });

  it('closes from joining, ready and failed, keeping the transport to close and the one done promise', () => {
    for (const from of [
      given(),
      walk(given(), { type: 'joined' }),
      walk(given(), { type: 'failed', reason }),
    ]) {
      const closing = nextProcessState(from, { type: 'close', done, reason: close });
      const live = from.kind === 'ready' ? transport : undefined;
      expect(closing).toEqual({ kind: 'closing', transport, done, reason: close, phase: 'draining', live });
      expect(isClosing(closing)).toBe(true);
      expect(nextProcessState(closing, { type: 'closed' })).toEqual({
        kind: 'closed',
        transport,
        done,
        reason: close,
      });
    }
    expect(walk(inheriting(), { type: 'close', done, reason: close })).toEqual({
      kind: 'closing',
      transport: undefined,
      done,
      reason: close,
      phase: 'draining',
      live: undefined,
    });
  });

  it('drains (publishing over the live transport), then leaves once, keeping the first reason', () => {
    const draining = walk(given(), { type: 'joined' }, { type: 'close', done, reason: kill });
    expect(nextProcessState(draining, { type: 'close', done: later, reason: close })).toBe(draining);
    const leaving = nextProcessState(draining, { type: 'leave' });
    expect(leaving).toEqual({ ...draining, phase: 'leaving' });
    expect(nextProcessState(leaving, { type: 'leave' })).toBe(leaving);
    expect(walk(leaving, { type: 'closed' })).toEqual({ kind: 'closed', transport, done, reason: kill });
    // Leaving means nothing before a shutdown began.
    expect(nextProcessState(given(), { type: 'leave' })).toEqual(given());
  });

  it('wins over everything in flight once closing: a late transport, join or failure changes nothing', () => {
    const closing = walk(inheriting(), { type: 'close', done, reason: close });
    for (const event of every.slice(0, 4)) expect(nextProcessState(closing, event)).toBe(closing);
    const closingGiven = walk(given(), { type: 'close', done, reason: close });
    expect(nextProcessState(closingGiven, { type: 'joined' })).toBe(closingGiven);
  });

  it('stays closed whatever happens next, and is the only other state that counts as closing', () => {
    const closed = walk(given(), { type: 'close', done, reason: close }, { type: 'closed' });
    expect(isClosing(closed)).toBe(true);
    for (const event of every) expect(nextProcessState(closed, event)).toBe(closed);
    for (const open of [
      given(),
      walk(given(), { type: 'joined' }),
      walk(given(), { type: 'failed', reason }),
    ]) {
      expect(isClosing(open)).toBe(false);
    }
  });
});
