import type { ClustrError } from '@clustr/protocol';
import { encodeControlFrame } from '@clustr/protocol/internal';
import { AckTracker } from './ack-tracker.js';
import type { Outbox } from './outbox.js';
import { type Route, type RoutedLink, RouteTable, UP_FAILED, UP_LIVE } from './route-table.js';

/** A child link as the subscriptions see it. */
export interface SubscribedLink extends RoutedLink {
  isClosed: boolean;
  readonly out: Outbox;
}

/**
 * Who listens to what, here and below, and the `sub`/`unsub`/`ack` exchange with the parent:
 * a channel's first subscriber in this subtree makes this process subscribe upwards (with an
 * id the parent acks once live up to the root), its last one makes it unsubscribe. When that ack
 * times out, the channel's next subscriber (here or below) makes this process subscribe again.
 */
export class Subscriptions<L extends SubscribedLink> {
  readonly routes = new RouteTable<L>();
  private readonly acks: AckTracker;
  /** Channels this process stops listening to, with the id of the `unsub` the parent is to ack. */
  private readonly releasing = new Map<string, number>();

  /** `up` is the queue towards the parent; undefined at the root, where everything is live at once. */
  constructor(
    private readonly up: Outbox | undefined,
    ackTimeoutMs: number,
  ) {
    this.acks = new AckTracker(ackTimeoutMs, (id, channels) => this.expired(id, channels));
  }

  /** The route of `channel`, or undefined when nobody here subscribes. */
  get(channel: string): Route<L> | undefined {
    return this.routes.get(channel);
  }

  /** A local subscription: resolves once the channel is live up to the root. */
  subscribeLocal(channel: string): Promise<void> {
    const { route, isNew } = this.routes.addLocal(channel);
    // Subscribed again while its `unsub` is on its way: the parent will have dropped it, ask again.
    if (this.releasing.delete(channel)) this.subscribeUp([channel], []);
    else if (isNew && this.up !== undefined) this.subscribeUp([channel], []);
    else if (route.pendingUp === UP_FAILED) this.subscribeUp([], [channel]);
    return route.pendingUp < 0 ? Promise.resolve() : this.acks.waitFor([route.pendingUp]);
  }

  /**
   * Ends the local subscription. When nobody here listens any more and there is a parent, the
   * channel stays delivered here until the parent acked the `unsub`: what it routed here before
   * arrives first (a worker handing its private channel to its next incarnation loses nothing).
   */
  unsubscribeLocal(channel: string): Promise<void> {
    const route = this.routes.get(channel);
    if (route === undefined || !route.isLocal) return Promise.resolve();
    if (this.up === undefined || route.links.length > 0 || route.pendingUp !== UP_LIVE) {
      if (this.routes.removeLocal(channel)) this.sendUnsub([channel]);
      return Promise.resolve();
    }
    if (this.releasing.has(channel)) return Promise.resolve();
    const id = this.acks.open([channel]);
    const line = encodeControlFrame({ clustr: 1, type: 'unsub', channels: [channel], id });
    this.up.push(line, line.length, true);
    this.releasing.set(channel, id);
    const release = () => {
      if (this.releasing.get(channel) !== id) return;
      this.releasing.delete(channel);
      this.routes.removeLocal(channel);
    };
    // A parent that never acks (an older version, or gone) ends the wait at the ack timeout.
    return this.acks.waitFor([id]).then(release, release);
  }

  /** A child's `sub` frame: acked (through `ack`) once every channel in it is live up to the root. */
  childSubscribed(
    child: L,
    channels: readonly string[],
    id: number | undefined,
    ack: (id: number) => void,
  ): void {
    const fresh: string[] = [];
    const retried: string[] = [];
    const waitFor: number[] = [];
    for (const channel of channels) {
      const { route, isNew } = this.routes.addLink(child, channel);
      if (isNew && this.up !== undefined) fresh.push(channel);
      else if (route.pendingUp === UP_FAILED) {
        if (!retried.includes(channel)) retried.push(channel);
      } else if (route.pendingUp >= 0 && !waitFor.includes(route.pendingUp)) waitFor.push(route.pendingUp);
    }
    if (fresh.length > 0 || retried.length > 0) waitFor.push(this.subscribeUp(fresh, retried));
    if (id === undefined) return;
    this.acks.whenAcked(waitFor, (error) => {
      if (error === undefined && !child.isClosed) ack(id);
    });
  }

  childUnsubscribed(child: L, channels: readonly string[]): void {
    this.sendUnsub(channels.filter((channel) => this.routes.removeLink(child, channel)));
  }

  /** The child's subtree may no longer receive `channels`: its subscriptions to them go, however many. */
  childDropped(child: L, channels: readonly string[]): void {
    this.sendUnsub(channels.filter((channel) => this.routes.dropLink(child, channel)));
  }

  /** A child link is gone: its subtree's subscriptions go too. */
  removeChild(child: L): void {
    this.sendUnsub(this.routes.removeAll(child));
  }

  /** The parent acked the `sub` frame `id`. */
  acked(id: number): void {
    const channels = this.acks.ack(id);
    if (channels === undefined) return;
    for (const channel of channels) {
      const route = this.routes.get(channel);
      if (route !== undefined && route.pendingUp === id) route.pendingUp = UP_LIVE;
    }
  }

  /** Leaving: unsubscribes upwards from everything this subtree listened to. */
  unsubscribeAll(): void {
    this.sendUnsub(this.routes.channels());
  }

  /** Fails every pending subscription. */
  failAll(error: ClustrError): void {
    this.acks.failAll(error);
  }

  /**
   * Subscribes upwards to `fresh` channels and again to `retried` ones (whose `sub` timed out);
   * returns the id of the new `sub`.
   */
  private subscribeUp(fresh: string[], retried: string[]): number {
    // The timed-out `sub` may have reached the parent: an `unsub` first keeps the parent's count
    // for this link at one, and makes it retry upwards in turn.
    this.sendUnsub(retried);
    const channels = retried.length === 0 ? fresh : [...fresh, ...retried];
    const id = this.sendUp('sub', channels);
    for (const channel of channels) this.routes.get(channel)!.pendingUp = id;
    return id;
  }

  /** The ack of `sub` frame `id` timed out: its channels are no longer waiting on it. */
  private expired(id: number, channels: readonly string[]): void {
    for (const channel of channels) {
      const route = this.routes.get(channel);
      if (route !== undefined && route.pendingUp === id) route.pendingUp = UP_FAILED;
    }
  }

  private sendUnsub(channels: string[]): void {
    if (channels.length > 0 && this.up !== undefined) this.sendUp('unsub', channels);
  }

  private sendUp(type: 'sub' | 'unsub', channels: string[]): number {
    const up = this.up!;
    // Control frames pass the queue bound: losing one would hang or leak a subscription.
    if (type === 'unsub') {
      const line = encodeControlFrame({ clustr: 1, type, channels });
      up.push(line, line.length, true);
      return -1;
    }
    const id = this.acks.open(channels);
    const line = encodeControlFrame({ clustr: 1, type, channels, id });
    up.push(line, line.length, true);
    return id;
  }
}
