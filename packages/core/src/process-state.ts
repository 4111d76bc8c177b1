import type { ClustrError, Transport } from '@clustr/protocol';
import type { PendingMessage } from './pending-messages.js';
import { closedError, failedBefore } from './process-errors.js';
import type { ShutdownReason } from './shutdown-types.js';

/**
 * Where a master or worker is in its life. `transport` is the one it talks over, `undefined`
 * until a spawned process has rebuilt its parent's; once `ready` it is always there.
 */
export type ProcessState =
  /** Connecting and subscribing; what is published meanwhile waits in `pending` (the caller bounds it). */
  | {
      readonly kind: 'joining';
      readonly transport: Transport | undefined;
      readonly pending: PendingMessage[];
    }
  /** Subscriptions are live: publish goes straight to the transport. */
  | { readonly kind: 'ready'; readonly transport: Transport }
  /** `ready()` failed for `reason`; publishing refuses with it. */
  | { readonly kind: 'failed'; readonly transport: Transport | undefined; readonly reason: ClustrError }
  /**
   * Shutting down for `reason`; `done` is the one promise every `close()` returns. While
   * `draining` (children stopping, hooks running) what the process publishes still goes out over
   * `live`, the transport of a process that was ready; once `leaving` (unsubscribing, goodbye,
   * transport closing) it is dropped and counted.
   */
  | {
      readonly kind: 'closing';
      readonly transport: Transport | undefined;
      readonly done: Promise<void>;
      readonly reason: ShutdownReason;
      readonly phase: 'draining' | 'leaving';
      readonly live: Transport | undefined;
    }
  /** Final: the transport is closed and the children stopped. */
  | {
      readonly kind: 'closed';
      readonly transport: Transport | undefined;
      readonly done: Promise<void>;
      readonly reason: ShutdownReason;
    };

/** What happens to a master or worker. */
export type ProcessEvent =
  /** A spawned process rebuilt the transport its parent described. */
  | { readonly type: 'restored'; readonly transport: Transport }
  /** Connected and subscribed. */
  | { readonly type: 'joined' }
  /** Joining the cluster failed. */
  | { readonly type: 'failed'; readonly reason: ClustrError }
  /** The first `close()` or other shutdown: `done` settles when it has shut down. */
  | { readonly type: 'close'; readonly done: Promise<void>; readonly reason: ShutdownReason }
  /** The hooks are over: the process unsubscribes and leaves; publishing is dropped from now on. */
  | { readonly type: 'leave' }
  /** The shutdown `done` stands for has finished. */
  | { readonly type: 'closed' };

/** The state a process starts in: joining over `transport` (none yet when it inherits one), nothing queued. */
export function initialProcessState(
  transport: Transport | undefined,
): Extract<ProcessState, { kind: 'joining' }> {
  return { kind: 'joining', transport, pending: [] };
}

/**
 * The one transition function of a master or worker; pure. A close wins over everything that
 * is still in flight: once closing, a restored transport, a join or a failure change nothing
 * (the caller closes what it restored and refuses to become ready). A second `close` keeps the
 * first; `closed` is final. Events that do not fit leave the state as it is: a second
 * transport, a join without a transport, a join or failure once ready or failed.
 */
export function nextProcessState(state: ProcessState, event: ProcessEvent): ProcessState {
  switch (event.type) {
    case 'restored':
      return state.kind === 'joining' && state.transport === undefined
        ? { kind: 'joining', transport: event.transport, pending: state.pending }
        : state;
    case 'joined':
      return state.kind === 'joining' && state.transport !== undefined
        ? { kind: 'ready', transport: state.transport }
        : state;
    case 'failed':
      return state.kind === 'joining'
        ? { kind: 'failed', transport: state.transport, reason: event.reason }
        : state;
    case 'close':
      if (isClosing(state)) return state;
      return {
        kind: 'closing',
        transport: state.transport,
        done: event.done,
        reason: event.reason,
        phase: 'draining',
        live: state.kind === 'ready' ? state.transport : undefined,
      };
    case 'leave':
      return state.kind === 'closing' && state.phase === 'draining' ? { ...state, phase: 'leaving' } : state;
    case 'closed':
      return state.kind === 'closing'
        ? { kind: 'closed', transport: state.transport, done: state.done, reason: state.reason }
        : state;
  }
}

/** True once `close()` was called, whether or not it has finished. */
export function isClosing(
  state: ProcessState,
): state is Extract<ProcessState, { kind: 'closing' | 'closed' }> {
  return state.kind === 'closing' || state.kind === 'closed';
}

/**
 * What an operation that needs the cluster waits for in `state`: nothing once ready, `ready`
 * while joining. Throws what `publish` would once joining failed or `close()` was called.
 */
export function whenJoined(
  state: ProcessState,
  ready: Promise<void>,
  operation: string,
): Promise<void> | undefined {
  if (state.kind === 'ready') return undefined;
  if (state.kind === 'joining') return ready;
  throw state.kind === 'failed' ? failedBefore(state.reason) : closedError(operation);
}
