import type { ChildLink } from '@clustr/protocol';
import type { GuardedLink } from './gatekeeper.js';
import { LinkOutbox, type WriteCache } from './link-outbox.js';
import type { OutboxHost } from './outbox.js';
import type { FrameSource } from './receive-frame.js';
import type { SubscribedLink } from './subscriptions.js';

/** An adopted child link and what the router knows of its subtree. */
export interface ChildState extends FrameSource, SubscribedLink, GuardedLink {
  readonly workerId: string;
  readonly link: ChildLink;
  readonly out: LinkOutbox;
  /** Removes the listeners the router put on the link. */
  readonly detach: (() => void)[];
  /** The next incarnation of this child, adopted while this one still runs (a reload). */
  successor: ChildState | undefined;
  /** The incarnation this one replaces, until it has left. */
  predecessor: ChildState | undefined;
  /**
   * The channels of this child's own workerId (private and kill) it subscribed to while its
   * predecessor still held them: they become its own when the predecessor lets go.
   */
  readonly deferred: Set<string>;
}

/** The router's state for a freshly adopted link (no listeners yet). */
export function createChildState(link: ChildLink, host: OutboxHost, cache: WriteCache): ChildState {
  const label = `child ${link.workerId}`;
  const out = new LinkOutbox(host, label, link, cache);
  return {
    workerId: link.workerId,
    link,
    counts: new Map(),
    members: new Map(),
    ownGroup: undefined,
    groups: new Map(),
    out,
    detach: [],
    successor: undefined,
    predecessor: undefined,
    deferred: new Set(),
    isClosed: false,
    counters: out.counters,
    label,
  };
}
