import type { RedisClientType } from '@redis/client';

/**
 * Where one Redis connection is in its life. `attempt` counts the connect attempts made since
 * the connection was last ready: it sets the backoff of the next one.
 */
export type ConnectionState =
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'ready'; readonly client: RedisClientType }
  | { readonly kind: 'closed' };

/** What happens to a connection. */
export type ConnectionEvent =
  /** A fresh client connected and was prepared (subscriptions set up). */
  | { readonly type: 'connected'; readonly client: RedisClientType }
  /** Another attempt is about to start (after a failed one, or after the connection was lost). */
  | { readonly type: 'retry' }
  /** The ready client's connection broke. */
  | { readonly type: 'lost' }
  /** `close()`: final. */
  | { readonly type: 'close' };

/** The state a connection starts in: connecting, no attempt made yet. */
export const INITIAL_CONNECTION_STATE: ConnectionState = { kind: 'connecting', attempt: 0 };

/**
 * The one transition function of a connection; pure. A closed connection stays closed (a client
 * that connects afterwards is the caller's to destroy); events that do not apply leave the state
 * as it is.
 */
export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  if (state.kind === 'closed') return state;
  switch (event.type) {
    case 'close':
      return { kind: 'closed' };
    case 'connected':
      return { kind: 'ready', client: event.client };
    case 'retry':
      return state.kind === 'connecting' ? { kind: 'connecting', attempt: state.attempt + 1 } : state;
    case 'lost':
      return state.kind === 'ready' ? { kind: 'connecting', attempt: 0 } : state;
  }
}
