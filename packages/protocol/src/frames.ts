import type { Meta } from './envelope.js';

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

/** Child → parent: the child's subtree listens to these channels (acked when `id` is given). */
export interface SubscribeFrame {
  clustr: 1;
  type: 'sub';
  channels: string[];
  id?: number;
}

/** Child → parent: the child's subtree no longer listens to these channels. */
export interface UnsubscribeFrame {
  clustr: 1;
  type: 'unsub';
  channels: string[];
}

/** Parent → child: the subscription frame with this `id` is live up to the root. */
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

/** Several frames that travel in one IPC message (frames queued in one event-loop turn). */
export interface BatchFrame {
  clustr: 1;
  type: 'batch';
  frames: Exclude<Frame, BatchFrame>[];
}

/** Every internal frame kind. */
export type ControlFrame = SubscribeFrame | UnsubscribeFrame | AckFrame | ReadyFrame | BatchFrame;

/** Anything clustr sends over an IPC link. */
export type Frame = DataFrame | ControlFrame;

/** The `type` values control frames use. */
export type ControlFrameType = ControlFrame['type'];
