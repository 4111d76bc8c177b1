import type { RestartInfo, WorkerState } from './worker-handle.js';

/**
 * Where a spawn slot is in its life. `R` is a run (one child process); the transitions only
 * compare runs by identity. A run is live while the state holds it: a run the state no longer
 * holds is over, and anything it reports afterwards is stale.
 */
export type SlotState<R> =
  /** A run is being started: `run` once its child exists; none before `start()` or while a start that threw is reported. */
  | { readonly kind: 'starting'; readonly run: R | undefined }
  /**
   * The live run said it is ready. `next` is its successor while a reload starts one next to
   * it: the handover (`ready` of `next`) makes it the live run; until then the slot is `run`'s.
   */
  | { readonly kind: 'running'; readonly run: R; readonly next?: R }
  /**
   * `stop()` signalled the live run; `killTimer` sends SIGKILL when it outlives its grace. `from`
   * is what the slot still reports as its state until the run ends.
   */
  | {
      readonly kind: 'stopping';
      readonly run: R;
      readonly from: 'starting' | 'running';
      readonly killTimer: NodeJS.Timeout;
    }
  /** A run ended and `timer` starts the next one; `restart` is what the `'restart'` event tells. */
  | { readonly kind: 'restarting'; readonly timer: NodeJS.Timeout; readonly restart: RestartInfo }
  /** Final: the run ended and the restart policy wants no other. */
  | { readonly kind: 'exited' }
  /** Final: the crash-loop limit was reached. */
  | { readonly kind: 'gave-up' }
  /** Final: `stop()` ended the slot. */
  | { readonly kind: 'stopped' };

/** Where a run that ended while no stop was asked for leads: what the restart policy decided. */
export type RunOutcome =
  | { readonly kind: 'exited' }
  | { readonly kind: 'gave-up' }
  | { readonly kind: 'restarting'; readonly timer: NodeJS.Timeout; readonly restart: RestartInfo };

/** What happens to a spawn slot. */
export type SlotEvent<R> =
  /** `start()` created the child of `run`. */
  | { readonly type: 'spawned'; readonly run: R }
  /**
   * `run` said it is ready (its `ready` frame, or its spawn with `readySignal: 'spawn'`); for
   * the successor of a reload, the reload judged it ready: the handover.
   */
  | { readonly type: 'ready'; readonly run: R }
  /** A reload started `next` next to the live, ready run. */
  | { readonly type: 'reload'; readonly next: R }
  /** `stop()` while no run is live: the slot stops at once. */
  | { readonly type: 'stop' }
  /** `stop()` signalled the live run and armed `killTimer`. */
  | { readonly type: 'signalled'; readonly killTimer: NodeJS.Timeout }
  /**
   * `run` ended (`undefined`: a start that threw). `leadsTo` is where it leads: `stopped` when a
   * stop was asked for, else the restart policy's outcome.
   */
  | {
      readonly type: 'ended';
      readonly run: R | undefined;
      readonly leadsTo: RunOutcome | { readonly kind: 'stopped' };
    }
  /** The restart timer fired: the next run is being started. */
  | { readonly type: 'restart' };

/** The state of a slot before its first `start()`. */
export function initialSlotState<R>(): SlotState<R> {
  return { kind: 'starting', run: undefined };
}

/**
 * The one transition function of a spawn slot; pure. A reload's successor lives in `running`
 * until its handover or its end; any other change of state (the live run ending, a stop)
 * drops it, and the reload kills it. Final states stay final; an event that
 * does not fit the state (a stale run, a `stop` while a run is live, a `signalled` while none
 * is, an `ended` whose `leadsTo` contradicts a stop asked for or not) leaves the state as it is.
 */
export function nextSlotState<R>(state: SlotState<R>, event: SlotEvent<R>): SlotState<R> {
  switch (event.type) {
    case 'spawned':
      return state.kind === 'starting' && state.run === undefined
        ? { kind: 'starting', run: event.run }
        : state;
    case 'reload':
      return state.kind === 'running' && state.next === undefined ? { ...state, next: event.next } : state;
    case 'ready':
      if (state.kind === 'running' && state.next === event.run) return { kind: 'running', run: event.run };
      if (!holdsRun(state, event.run)) return state;
      if (state.kind === 'starting') return { kind: 'running', run: event.run };
      return state.kind === 'stopping' && state.from === 'starting' ? { ...state, from: 'running' } : state;
    case 'stop':
      return (state.kind === 'starting' && state.run === undefined) || state.kind === 'restarting'
        ? { kind: 'stopped' }
        : state;
    case 'signalled':
      if ((state.kind !== 'starting' && state.kind !== 'running') || state.run === undefined) return state;
      return { kind: 'stopping', run: state.run, from: state.kind, killTimer: event.killTimer };
    case 'ended':
      // The successor of a reload ended before its handover: the live run stays, alone.
      if (state.kind === 'running' && state.next !== undefined && state.next === event.run)
        return { kind: 'running', run: state.run };
      if (!holdsRun(state, event.run)) return state;
      if (state.kind === 'stopping') return event.leadsTo.kind === 'stopped' ? event.leadsTo : state;
      return event.leadsTo.kind === 'stopped' ? state : event.leadsTo;
    case 'restart':
      return state.kind === 'restarting' ? { kind: 'starting', run: undefined } : state;
  }
}

/** States that hold the current run (or the start in progress). */
function isLive<R>(
  state: SlotState<R>,
): state is Extract<SlotState<R>, { kind: 'starting' | 'running' | 'stopping' }> {
  return state.kind === 'starting' || state.kind === 'running' || state.kind === 'stopping';
}

/** True when `run` is the live run (`undefined`: the start in progress that has no child). */
export function holdsRun<R>(state: SlotState<R>, run: R | undefined): boolean {
  return isLive(state) && state.run === run;
}

/** The successor a reload started, until its handover or end. */
export function nextRun<R>(state: SlotState<R>): R | undefined {
  return state.kind === 'running' ? state.next : undefined;
}

/** The live run, if any: its pid and link are the slot's. */
export function liveRun<R>(state: SlotState<R>): R | undefined {
  return isLive(state) ? state.run : undefined;
}

/** True when the live run has said it is ready. */
export function isRunReady<R>(state: SlotState<R>): boolean {
  return state.kind === 'running' || (state.kind === 'stopping' && state.from === 'running');
}

/** The states a slot ends in for good. */
export type FinalSlotState = Extract<SlotState<unknown>, { kind: 'exited' | 'gave-up' | 'stopped' }>;

/** True once the slot has ended for good: no run and no restart will follow. */
export function isFinal<R>(state: SlotState<R>): state is FinalSlotState {
  return state.kind === 'exited' || state.kind === 'gave-up' || state.kind === 'stopped';
}

/** What a handle's `state` reports: a stopping slot still shows where its run was. */
export function publicState<R>(state: SlotState<R>): WorkerState {
  return state.kind === 'stopping' ? state.from : state.kind;
}
