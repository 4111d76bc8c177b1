/**
 * Whether the publisher may send. It starts `starting`: what is published before the whole
 * transport is connected waits, so a process receives its own early messages. Once `released`
 * it sends whenever its connection is up (queueing while it is down). When the own subscriber
 * drops it is `held` again, so what this process publishes waits for its own subscriptions.
 */
export type PublisherState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'released' }
  | { readonly kind: 'held' };

/** What happens to the publisher's gate. */
export type PublisherEvent =
  /** The transport is connected, or the own subscriber is back. */
  | { readonly type: 'release' }
  /** The own subscriber is down. */
  | { readonly type: 'hold' };

/** The state a publisher starts in. */
export const INITIAL_PUBLISHER_STATE: PublisherState = { kind: 'starting' };

/** The one transition function of the publisher's gate; pure. */
export function nextPublisherState(state: PublisherState, event: PublisherEvent): PublisherState {
  switch (event.type) {
    case 'release':
      return state.kind === 'released' ? state : { kind: 'released' };
    case 'hold':
      // Never released yet: the first release is still ahead, nothing to hold back from.
      return state.kind === 'released' ? { kind: 'held' } : state;
  }
}

/** True when the publisher may send (its connection permitting). */
export function isReleased(state: PublisherState): boolean {
  return state.kind === 'released';
}

/** True once the publisher was released at least once: a backlog at close is then worth waiting for. */
export function wasEverReleased(state: PublisherState): boolean {
  return state.kind !== 'starting';
}
