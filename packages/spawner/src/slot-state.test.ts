import { describe, expect, it } from 'vitest';
import {
  holdsRun,
  initialSlotState,
  isFinal,
  isRunReady,
  liveRun,
  nextRun,
  nextSlotState,
  publicState,
  type SlotEvent,
  type SlotState,
} from './slot-state.js';

// Runs and timers are only carried and compared by identity: plain tokens stand in for them.
type Run = { readonly name: string };
const run: Run = { name: 'first' };
const other: Run = { name: 'second' };
const killTimer = {} as NodeJS.Timeout;
const restartTimer = {} as NodeJS.Timeout;
const restart = { attempt: 1, delayMs: 100 };

const walk = (...events: SlotEvent<Run>[]): SlotState<Run> =>
  events.reduce(nextSlotState<Run>, initialSlotState<Run>());

const spawned: SlotEvent<Run> = { type: 'spawned', run };
const ready: SlotEvent<Run> = { type: 'ready', run };
const stop: SlotEvent<Run> = { type: 'stop' };
const signalled: SlotEvent<Run> = { type: 'signalled', killTimer };
type LeadsTo = Extract<SlotEvent<Run>, { type: 'ended' }>['leadsTo'];
const ended = (leadsTo: LeadsTo, of: Run = run) => ({ type: 'ended', run: of, leadsTo }) as const;
/** The end of a start that threw: it has no run. */
const startFailed = (leadsTo: LeadsTo) => ({ type: 'ended', run: undefined, leadsTo }) as const;
const toRestart = ended({ kind: 'restarting', timer: restartTimer, restart });

const every: SlotEvent<Run>[] = [
  spawned,
  { type: 'spawned', run: other },
  ready,
  { type: 'ready', run: other },
  stop,
  signalled,
  ended({ kind: 'exited' }),
  ended({ kind: 'gave-up' }),
  ended({ kind: 'stopped' }),
  toRestart,
  startFailed({ kind: 'exited' }),
  { type: 'restart' },
];

describe('nextSlotState', () => {
  it('starts starting with no run, which shows as "starting"', () => {
    expect(walk()).toEqual({ kind: 'starting', run: undefined });
    expect(publicState(walk())).toBe('starting');
    expect(liveRun(walk())).toBeUndefined();
  });

  it('walks starting → running with the spawned run, which is then live and ready', () => {
    expect(walk(spawned)).toEqual({ kind: 'starting', run });
    expect([liveRun(walk(spawned)), isRunReady(walk(spawned))]).toEqual([run, false]);
    expect(walk(spawned, ready)).toEqual({ kind: 'running', run });
    expect([publicState(walk(spawned, ready)), isRunReady(walk(spawned, ready))]).toEqual(['running', true]);
  });

  it('ignores a second spawn, a ready before the spawn, a ready of another run and a repeated ready', () => {
    const starting = walk(spawned);
    expect(nextSlotState(starting, { type: 'spawned', run: other })).toBe(starting);
    expect(nextSlotState(walk(), ready)).toEqual(walk());
    expect(nextSlotState(starting, { type: 'ready', run: other })).toBe(starting);
    const running = walk(spawned, ready);
    expect(nextSlotState(running, ready)).toBe(running);
    expect(nextSlotState(running, spawned)).toBe(running);
  });

  it('goes where the restart policy says when the live run ends', () => {
    for (const from of [walk(spawned), walk(spawned, ready)]) {
      expect(nextSlotState(from, ended({ kind: 'exited' }))).toEqual({ kind: 'exited' });
      expect(nextSlotState(from, ended({ kind: 'gave-up' }))).toEqual({ kind: 'gave-up' });
      expect(nextSlotState(from, toRestart)).toEqual({ kind: 'restarting', timer: restartTimer, restart });
    }
    expect(liveRun(walk(spawned, toRestart))).toBeUndefined();
    expect(publicState(walk(spawned, toRestart))).toBe('restarting');
  });

  it('ends a start that threw (no run) the same way', () => {
    expect(walk(startFailed({ kind: 'gave-up' }))).toEqual({ kind: 'gave-up' });
    expect(walk(startFailed({ kind: 'restarting', timer: restartTimer, restart })).kind).toBe('restarting');
  });

  it('ignores the end of a run that is not the live one, and an end claiming a stop nobody asked for', () => {
    const running = walk(spawned, ready);
    expect(nextSlotState(running, ended({ kind: 'exited' }, other))).toBe(running);
    expect(nextSlotState(running, startFailed({ kind: 'exited' }))).toBe(running);
    expect(nextSlotState(running, ended({ kind: 'stopped' }))).toBe(running);
  });

  it('starts the next run, with no child yet, when the restart timer fires; a new run is then live', () => {
    const restarting = walk(spawned, toRestart);
    expect(nextSlotState(restarting, { type: 'restart' })).toEqual({ kind: 'starting', run: undefined });
    expect(walk(spawned, toRestart, { type: 'restart' }, { type: 'spawned', run: other })).toEqual({
      kind: 'starting',
      run: other,
    });
    // the run before is stale now
    const second = walk(spawned, toRestart, { type: 'restart' }, { type: 'spawned', run: other });
    expect([holdsRun(second, run), holdsRun(second, other)]).toEqual([false, true]);
    expect(nextSlotState(second, ready)).toBe(second);
    expect(nextSlotState(second, ended({ kind: 'exited' }))).toBe(second);
    expect(nextSlotState(walk(spawned), { type: 'restart' })).toEqual(walk(spawned));
  });

  it('stops a live run by signalling it, still showing where it was, and ends stopped', () => {
    const fromStarting = walk(spawned, signalled);
    expect(fromStarting).toEqual({ kind: 'stopping', run, from: 'starting', killTimer });
    expect([publicState(fromStarting), liveRun(fromStarting), isRunReady(fromStarting)]).toEqual([
      'starting',
      run,
      false,
    ]);
    const fromRunning = walk(spawned, ready, signalled);
    expect(fromRunning).toEqual({ kind: 'stopping', run, from: 'running', killTimer });
    expect([publicState(fromRunning), isRunReady(fromRunning)]).toEqual(['running', true]);
    for (const from of [fromStarting, fromRunning]) {
      expect(nextSlotState(from, ended({ kind: 'stopped' }))).toEqual({ kind: 'stopped' });
    }
  });

  it('lets a stopping run still get ready once, and ignores the rest while stopping', () => {
    const stopping = walk(spawned, signalled);
    const readied = nextSlotState(stopping, ready);
    expect(readied).toEqual({ kind: 'stopping', run, from: 'running', killTimer });
    expect(nextSlotState(readied, ready)).toBe(readied);
    for (const event of [
      spawned,
      stop,
      signalled,
      { type: 'restart' } as const,
      { type: 'ready', run: other } as const,
      ended({ kind: 'exited' }),
      ended({ kind: 'gave-up' }),
      toRestart,
      ended({ kind: 'stopped' }, other),
    ]) {
      expect(nextSlotState(stopping, event)).toBe(stopping);
    }
  });

  it('stops at once when no run is live: before the first start, after a start that threw, while restarting', () => {
    expect(walk(stop)).toEqual({ kind: 'stopped' });
    expect(walk(spawned, toRestart, stop)).toEqual({ kind: 'stopped' });
    expect(walk(spawned, toRestart, { type: 'restart' }, stop)).toEqual({ kind: 'stopped' });
  });

  it('refuses a stop without a signal while a run is live, and a signal while none is', () => {
    for (const live of [walk(spawned), walk(spawned, ready)]) expect(nextSlotState(live, stop)).toBe(live);
    for (const idle of [walk(), walk(spawned, toRestart)]) expect(nextSlotState(idle, signalled)).toBe(idle);
  });

  it('stays in every final state whatever happens next, including a late end of a start that threw', () => {
    const finals = [
      walk(spawned, ended({ kind: 'exited' })),
      walk(spawned, ended({ kind: 'gave-up' })),
      walk(stop),
    ];
    expect(finals.map(publicState)).toEqual(['exited', 'gave-up', 'stopped']);
    for (const final of finals) {
      expect(isFinal(final)).toBe(true);
      expect(liveRun(final)).toBeUndefined();
      for (const event of every) expect(nextSlotState(final, event)).toBe(final);
    }
    for (const notFinal of [walk(), walk(spawned), walk(spawned, ready), walk(spawned, signalled)]) {
      expect(isFinal(notFinal)).toBe(false);
    }
    expect(isFinal(walk(spawned, toRestart))).toBe(false);
  });
});

describe('nextSlotState: reloads', () => {
  const next: Run = { name: 'successor' };
  const reloading = () => walk(spawned, ready, { type: 'reload', next });

  it('starts a successor only next to a live, ready run, once', () => {
    expect(reloading()).toEqual({ kind: 'running', run, next });
    expect(nextRun(reloading())).toBe(next);
    expect(holdsRun(reloading(), next)).toBe(false);
    expect(walk(spawned, { type: 'reload', next })).toEqual(walk(spawned));
    const again = nextSlotState(reloading(), { type: 'reload', next: other });
    expect(again).toEqual(reloading());
  });

  it("hands over on the successor's ready: it becomes the live run, the old one is stale", () => {
    const handedOver = nextSlotState(reloading(), { type: 'ready', run: next });
    expect(handedOver).toEqual({ kind: 'running', run: next });
    expect(liveRun(handedOver)).toBe(next);
    expect(holdsRun(handedOver, run)).toBe(false);
    // The old run's end is stale now: no restart, no exit of the slot.
    expect(nextSlotState(handedOver, toRestart)).toBe(handedOver);
  });

  it('drops the successor when it ends first, or when the live run ends or is stopped', () => {
    expect(nextSlotState(reloading(), ended({ kind: 'exited' }, next))).toEqual({ kind: 'running', run });
    expect(nextRun(nextSlotState(reloading(), toRestart))).toBeUndefined();
    const stopping = nextSlotState(reloading(), signalled);
    expect(stopping).toEqual({ kind: 'stopping', run, from: 'running', killTimer });
  });
});
