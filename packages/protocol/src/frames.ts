import type { Meta } from './envelope.js';
import type { TransportDescriptor } from './transport.js';

/** The tag that marks a Node IPC message as clustr's; messages without it belong to the user. */
export const FRAME_TAG = 'clustr';
/** The wire version carried in the tag: `{"clustr":1,…}`. */
export const FRAME_VERSION = 1;

/**
 * A message on a channel, as one JSON line on an IPC link:
 * `{"clustr":1,"channel":"master","meta":{"workerId":"…","group":"bash"},"data":…}`.
 */
export interface DataFrame {
  clustr: 1;
  channel: string;
  meta: Meta;
  data: unknown;
}

/**
 * Several messages of one sender on one channel, published one after the other before its links
 * flushed, as one line: `{"clustr":1,"channel":"web","meta":{…},"run":[data1,data2,…]}`.
 * Receivers deliver each element as a message of its own, in order; relays forward the line.
 */
export interface RunFrame {
  clustr: 1;
  channel: string;
  meta: Meta;
  run: unknown[];
}

/** Child → parent: the child's subtree listens to these channels (acked when `id` is given). */
export interface SubscribeFrame {
  clustr: 1;
  type: 'sub';
  channels: string[];
  id?: number;
}

/**
 * Child → parent: the child's subtree no longer listens to these channels. With an `id` the
 * parent acks it once nothing more goes to the child on them: what was sent before arrives first.
 */
export interface UnsubscribeFrame {
  clustr: 1;
  type: 'unsub';
  channels: string[];
  id?: number;
}

/** Parent → child: the (un)subscription frame with this `id` took effect (a `sub` is live up to the root). */
export interface AckFrame {
  clustr: 1;
  type: 'ack';
  id: number;
}

/** Child → parent: the child's clustr process is ready (its subscriptions are live). */
export interface ReadyFrame {
  clustr: 1;
  type: 'ready';
}

/**
 * Child → parent, the first line a child writes on its link: it asks who it is and how to reach
 * the cluster. The parent answers with a {@link WelcomeFrame}.
 */
export interface HelloFrame {
  clustr: 1;
  type: 'hello';
}

/**
 * Parent → child, the answer to {@link HelloFrame}: what the child needs from its parent. It
 * travels over the link and never through the environment, because the transport's options
 * may hold credentials (a Redis password, a TLS key).
 */
export interface WelcomeFrame {
  clustr: 1;
  type: 'welcome';
  /** The child's workerId (the same as its `CLUSTR_WORKER_ID`). */
  workerId: string;
  /** The parent's workerId, or `master`. */
  parentId: string;
  /** How the child rebuilds its parent's transport. */
  transport: TransportDescriptor;
  /** How many times the parent restarted this child: its incarnation number. */
  restarts?: number;
  /** The core the parent pinned the child to, if any. */
  cpu?: number;
  /** What the parent's clustr process hands down to the child's (e.g. its presence options). */
  process?: Record<string, unknown>;
}

/**
 * Child → parent: a process of the child's subtree (the child itself, or a process it adopted)
 * has this workerId and group. Its parent checks it (the id is new in its tree and has the
 * claimable shape, the group is a valid name), records it and passes it up: from then on the
 * child may speak for that member and subscribe to its channels. A child that never joins
 * (a bash script) joins implicitly with the meta of its first data frame.
 */
export interface JoinFrame {
  clustr: 1;
  type: 'join';
  workerId: string;
  group: string;
}

/** Child → parent: these members of the child's subtree are gone (their link closed). */
export interface LeaveFrame {
  clustr: 1;
  type: 'leave';
  workerIds: string[];
}

/**
 * Parent → child: a new incarnation of this child (the same workerId) is ready and replaces it —
 * a rolling reload. The child shuts down gracefully (its hooks hear `{ kind: 'reload' }`) and
 * exits 0. A child that does not read its link is sent SIGTERM instead.
 */
export interface RetireFrame {
  clustr: 1;
  type: 'retire';
}

/** Every internal frame kind. */
export type ControlFrame =
  | SubscribeFrame
  | UnsubscribeFrame
  | AckFrame
  | ReadyFrame
  | HelloFrame
  | WelcomeFrame
  | JoinFrame
  | LeaveFrame
  | RetireFrame;

/** Anything clustr sends over a link: one frame per line, in both directions. */
export type Frame = DataFrame | RunFrame | ControlFrame;

/** The `type` values control frames use. */
export type ControlFrameType = ControlFrame['type'];
