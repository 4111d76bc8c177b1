/** {@link Route.pendingUp} of a channel live up to the root. */
export const UP_LIVE = -1;
/** {@link Route.pendingUp} of a channel whose `sub` timed out: the next subscriber sends a new one. */
export const UP_FAILED = -2;

/** Where frames on one channel go from this process. */
export interface Route<L> {
  /** Child links whose subtree subscribes to the channel. */
  readonly links: L[];
  /** This process subscribes to the channel. */
  isLocal: boolean;
  /**
   * Id of the `sub` frame for this channel still awaiting the parent's ack; {@link UP_LIVE}
   * once live, {@link UP_FAILED} once that ack timed out.
   */
  pendingUp: number;
}

/** A child link as the route table sees it: a count per channel of its subtree's subscriptions. */
export interface RoutedLink {
  readonly counts: Map<string, number>;
}

/**
 * The subscriptions of this process and of each child subtree. A channel is known while anyone
 * subscribes; its first subscriber makes this process subscribe upwards, its last one unsubscribe.
 */
export class RouteTable<L extends RoutedLink> {
  private readonly routes = new Map<string, Route<L>>();

  /** The route of `channel`, or undefined when nobody here subscribes. */
  get(channel: string): Route<L> | undefined {
    return this.routes.get(channel);
  }

  /** Every channel somebody here subscribes to. */
  channels(): string[] {
    return [...this.routes.keys()];
  }

  /** Adds a local subscription; returns the route and whether the channel is new to this process. */
  addLocal(channel: string): { route: Route<L>; isNew: boolean } {
    const existing = this.routes.get(channel);
    if (existing !== undefined) {
      existing.isLocal = true;
      return { route: existing, isNew: false };
    }
    const route: Route<L> = { links: [], isLocal: true, pendingUp: UP_LIVE };
    this.routes.set(channel, route);
    return { route, isNew: true };
  }

  /** Removes the local subscription; true when the channel is now unknown here. */
  removeLocal(channel: string): boolean {
    const route = this.routes.get(channel);
    if (route === undefined || !route.isLocal) return false;
    route.isLocal = false;
    return this.dropIfEmpty(channel, route);
  }

  /** Counts one more subscription of `link`'s subtree; returns the route and whether the channel is new here. */
  addLink(link: L, channel: string): { route: Route<L>; isNew: boolean } {
    const count = link.counts.get(channel) ?? 0;
    link.counts.set(channel, count + 1);
    let route = this.routes.get(channel);
    let isNew = false;
    if (route === undefined) {
      route = { links: [], isLocal: false, pendingUp: UP_LIVE };
      this.routes.set(channel, route);
      isNew = true;
    }
    if (count === 0) route.links.push(link);
    return { route, isNew };
  }

  /** Counts one subscription of `link`'s subtree less; true when the channel is now unknown here. */
  removeLink(link: L, channel: string): boolean {
    const count = link.counts.get(channel);
    if (count === undefined) return false;
    if (count > 1) {
      link.counts.set(channel, count - 1);
      return false;
    }
    link.counts.delete(channel);
    return this.detach(link, channel);
  }

  /** Forgets every subscription of `link` to `channel`; true when the channel is now unknown here. */
  dropLink(link: L, channel: string): boolean {
    if (!link.counts.delete(channel)) return false;
    return this.detach(link, channel);
  }

  /** Forgets every subscription of `link`; returns the channels now unknown here. */
  removeAll(link: L): string[] {
    const gone: string[] = [];
    for (const channel of link.counts.keys()) {
      if (this.detach(link, channel)) gone.push(channel);
    }
    link.counts.clear();
    return gone;
  }

  private detach(link: L, channel: string): boolean {
    const route = this.routes.get(channel);
    if (route === undefined) return false;
    const index = route.links.indexOf(link);
    if (index >= 0) route.links.splice(index, 1);
    return this.dropIfEmpty(channel, route);
  }

  private dropIfEmpty(channel: string, route: Route<L>): boolean {
    if (route.isLocal || route.links.length > 0) return false;
    this.routes.delete(channel);
    return true;
  }
}
