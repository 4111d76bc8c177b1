/**
 * Where a Redis transport is in its life. `attempt` is the one `connect()` promise: every call
 * returns it, and it stays rejected once connecting failed (the transport cannot be reused).
 * `done` is the one `close()` promise.
 */
export type TransportState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting'; readonly attempt: Promise<void> }
  | { readonly kind: 'ready'; readonly attempt: Promise<void> }
  | { readonly kind: 'closed'; readonly done: Promise<void> };

/** What happens to a transport. */
export type TransportEvent =
  /** The first `connect()`: `attempt` opens both connections. */
  | { readonly type: 'connect'; readonly attempt: Promise<void> }
  /** Both connections are open and the subscriptions live. */
  | { readonly type: 'connected' }
  /** The first `close()`: `done` settles when it has shut down. Final. */
  | { readonly type: 'close'; readonly done: Promise<void> };

/** The state a transport starts in. */
export const INITIAL_TRANSPORT_STATE: TransportState = { kind: 'idle' };

/** The one transition function of a transport; pure. Closed is final; a second connect or close changes nothing. */
export function nextTransportState(state: TransportState, event: TransportEvent): TransportState {
  if (state.kind === 'closed') return state;
  switch (event.type) {
    case 'connect':
      return state.kind === 'idle' ? { kind: 'connecting', attempt: event.attempt } : state;
    case 'connected':
      return state.kind === 'connecting' ? { kind: 'ready', attempt: state.attempt } : state;
    case 'close':
      return { kind: 'closed', done: event.done };
  }
}
