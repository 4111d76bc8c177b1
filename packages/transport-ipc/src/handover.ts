import { KILL_CHANNEL_PREFIX, ONE_CHANNEL_PREFIX } from '@clustr/protocol/internal';
import type { ChildState } from './child-state.js';
import type { Subscriptions } from './subscriptions.js';

/**
 * Two incarnations of one child during a rolling reload: the old one keeps the channels of its
 * workerId — its private, `kill:` and `one:` channels — until it lets go of them (its
 * `unsub`, acked, or its link closing); the new one gets them then. A private message is so
 * routed to exactly one of them: never lost, never delivered to both. Every other channel (its
 * group, `public`, its own `rpc:` channel) reaches both while both listen: they are two processes.
 */

/** True for a channel only the incarnation holding `child`'s workerId may receive. */
function isOwnChannel(child: ChildState, channel: string): boolean {
  if (channel === child.workerId) return true;
  if (!channel.endsWith(child.workerId)) return false;
  const prefix = channel.length - child.workerId.length;
  return (
    (prefix === KILL_CHANNEL_PREFIX.length && channel.startsWith(KILL_CHANNEL_PREFIX)) ||
    (prefix === ONE_CHANNEL_PREFIX.length && channel.startsWith(ONE_CHANNEL_PREFIX))
  );
}

/**
 * Splits a `sub` frame of `child`: what its predecessor still holds waits (returned as
 * deferred, and remembered); the rest is subscribed now. Deferred channels are live already —
 * the predecessor's subscription made them so — so the frame's ack need not wait for them.
 */
export function deferOwnChannels(child: ChildState, channels: readonly string[]): string[] {
  const predecessor = child.predecessor;
  if (predecessor === undefined || predecessor.isClosed) return channels as string[];
  const now: string[] = [];
  for (const channel of channels) {
    if (isOwnChannel(child, channel) && predecessor.counts.has(channel)) child.deferred.add(channel);
    else now.push(channel);
  }
  return now;
}

/** `child` unsubscribed from `channels`: those it still waited for are no longer wanted. */
export function forgetDeferred(child: ChildState, channels: readonly string[]): void {
  for (const channel of channels) child.deferred.delete(channel);
}

/**
 * `child` let go of `channels` (an `unsub`, or its link closed): its successor takes those it
 * was waiting for. Called after the routes were updated, so no frame reaches both.
 */
export function handOver(
  child: ChildState,
  channels: readonly string[],
  subs: Subscriptions<ChildState>,
): void {
  const successor = child.successor;
  if (child.isClosed && successor !== undefined) successor.predecessor = undefined;
  if (child.isClosed && child.predecessor !== undefined) child.predecessor.successor = undefined;
  if (successor === undefined || successor.isClosed) return;
  const taken = channels.filter(
    (channel) => successor.deferred.delete(channel) && !child.counts.has(channel),
  );
  if (taken.length > 0) subs.childSubscribed(successor, taken, undefined, () => undefined);
}
