import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_HANDSHAKE } from './defaults.js';
import type { ExitInfo } from './restart-backoff.js';
import { EXIT_DRAIN_MS, SlotExits } from './slot-exits.js';
import type { Run } from './slot-run.js';
import { initialSlotState, nextSlotState, type SlotState } from './slot-state.js';
import type { RestartOptions } from './spawn-spec.js';
import { validateSpawnSpecs } from './validate-spawn-specs.js';
import type { WorkerHandleEvents } from './worker-handle.js';

const crash: ExitInfo = { code: 1, signal: null };
const clean: ExitInfo = { code: 0, signal: null };

/** A slot as `SlotExits` sees it: its state walks `nextSlotState`; what it is told is recorded in order. */
function slot(restart: RestartOptions) {
  const [spec] = validateSpawnSpecs([{ file: fileURLToPath(import.meta.url), restart }]);
  const events = new EventEmitter<WorkerHandleEvents>();
  const told: unknown[][] = [];
  let state: SlotState<Run> = initialSlotState();
  // Where the slot is when the exit is told: the run must be over by then.
  events.on('exit', (info) => told.push(['exit', info, state.kind]));
  events.on('restart', (info) => told.push(['restart', info]));
  events.on('error', (error) => told.push(['error', error.code]));
  const exits = new SlotExits({
    workerId: 'w1',
    spec: spec!,
    events,
    state: () => state,
    apply: (event) => (state = nextSlotState(state, event)),
    restart: () => {
      told.push(['restarted']);
      state = nextSlotState(state, { type: 'restart' });
    },
    finish: (kind, info) => told.push(['finish', kind, info]),
  });
  /** Starts a run the slot holds (ready when asked); only its link and start time are read. */
  const spawn = (options: { isReady?: boolean; link?: Run['link'] } = {}): Run => {
    const run = { link: options.link, startedAt: performance.now(), hellos: 0 } as unknown as Run;
    state = nextSlotState(state, { type: 'spawned', run });
    if (options.isReady === true) state = nextSlotState(state, { type: 'ready', run });
    return run;
  };
  return { exits, events, told, spawn, state: () => state, apply: (next: SlotState<Run>) => (state = next) };
}

/** A link whose close the test decides; `destroy` closes it, as the real one does. */
function link() {
  const handlers: (() => void)[] = [];
  const fake = {
    isClosed: false,
    onClose: (handler: () => void) => handlers.push(handler),
    close: () => {
      if (fake.isClosed) return;
      fake.isClosed = true;
      for (const handler of handlers) handler();
    },
    destroy: vi.fn(() => fake.close()),
  };
  return fake;
}

describe('SlotExits', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends the run before the exit is told, then ends the slot when the policy wants no restart', () => {
    const { exits, told, spawn } = slot({ policy: 'never' });
    exits.exited(spawn({ isReady: true }), clean);
    expect(told).toEqual([
      ['exit', clean, 'exited'],
      ['finish', 'exited', clean],
    ]);
    expect(exits.lastExit).toEqual(clean);
  });

  it('tells the restart and starts the next run once the backoff is over; gives up at the limit', () => {
    const { exits, told, spawn } = slot({ policy: 'on-failure', initialDelayMs: 100, maxRestarts: 1 });
    exits.exited(spawn(), crash);
    expect(told).toEqual([
      ['exit', crash, 'restarting'],
      ['restart', { attempt: 1, delayMs: 100 }],
    ]);
    vi.advanceTimersByTime(99);
    expect(told).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(told.at(-1)).toEqual(['restarted']);
    exits.exited(spawn(), crash);
    expect(told.slice(3)).toEqual([
      ['exit', crash, 'gave-up'],
      ['finish', 'gave-up', crash],
    ]);
  });

  it('tells no restart when a listener of the exit stopped the slot', () => {
    const { exits, events, told, spawn, state, apply } = slot({ policy: 'always' });
    const run = spawn({ isReady: true });
    events.on('exit', () => {
      // What stop() does to a restarting slot: the restart timer is cleared, the slot stops.
      const now = state();
      if (now.kind === 'restarting') clearTimeout(now.timer);
      apply(nextSlotState(now, { type: 'stop' }));
    });
    exits.exited(run, crash);
    expect(told.map(([what]) => what)).toEqual(['exit']);
    expect(state().kind).toBe('stopped');
  });

  it('ends a run that stop() signalled as stopped, whatever the policy, and clears its kill timer', () => {
    const { exits, told, spawn, state, apply } = slot({ policy: 'always' });
    const run = spawn({ isReady: true });
    const kill = vi.fn();
    apply(nextSlotState(state(), { type: 'signalled', killTimer: setTimeout(kill, 1000) }));
    exits.exited(run, { code: null, signal: 'SIGTERM' });
    expect(told.map(([what]) => what)).toEqual(['exit', 'finish']);
    expect(told[1]).toEqual(['finish', 'stopped', { code: null, signal: 'SIGTERM' }]);
    vi.advanceTimersByTime(1000);
    expect(kill).not.toHaveBeenCalled();
  });

  it('reports a refused handshake once per slot, not once per run', () => {
    const { exits, told, spawn } = slot({ policy: 'always', initialDelayMs: 10 });
    const refused = { code: EXIT_BAD_HANDSHAKE, signal: null };
    exits.exited(spawn(), refused);
    vi.advanceTimersByTime(10);
    exits.exited(spawn(), refused);
    expect(told.filter(([what]) => what === 'error')).toEqual([['error', 'ERR_CLUSTR_SPAWN_FAILED']]);
    expect(told.filter(([what]) => what === 'exit')).toHaveLength(2);
  });

  it('ignores the end of a run the slot does not hold, and reports a start that threw', () => {
    const { exits, told, spawn } = slot({ policy: 'never' });
    const stale = { link: undefined, startedAt: 0, hellos: 0 } as unknown as Run;
    exits.exited(stale, crash);
    expect(told).toEqual([]);
    exits.startFailed(new Error('spawn EACCES'));
    expect(told).toEqual([
      ['error', 'ERR_CLUSTR_SPAWN_FAILED'],
      ['exit', { code: null, signal: null }, 'exited'],
      ['finish', 'exited', { code: null, signal: null }],
    ]);
    // The slot ended: a run's end told late changes nothing.
    exits.exited(spawn(), crash);
    expect(told).toHaveLength(3);
  });

  it("tells the exit once the link closed (the child's last lines read), or EXIT_DRAIN_MS later", () => {
    const { exits, told, spawn } = slot({ policy: 'always', initialDelayMs: 10 });
    const closing = link();
    exits.exited(spawn({ link: closing as unknown as Run['link'] }), crash);
    expect(told).toEqual([]);
    closing.close();
    expect(told[0]).toEqual(['exit', crash, 'restarting']);
    vi.advanceTimersByTime(10);
    const silent = link();
    exits.exited(spawn({ link: silent as unknown as Run['link'] }), crash);
    vi.advanceTimersByTime(EXIT_DRAIN_MS - 1);
    expect(told.filter(([what]) => what === 'exit')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(silent.destroy).toHaveBeenCalled();
    expect(told.filter(([what]) => what === 'exit')).toHaveLength(2);
  });
});
