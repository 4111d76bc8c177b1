/** Meta as a frame on the wire may carry it: whatever an attacker writes there. */
export interface WireMeta {
  workerId?: string;
  group: string;
}

/** A process of the cluster as the hostile child is told of it: an identity to steal. */
export interface Identity {
  workerId: string;
  group: string;
}

/** One kill frame: on `kill:<target>`, under `meta` (the child's own when absent). */
export interface KillOrder {
  target: string;
  meta?: WireMeta;
  exitCode: number;
}

/**
 * What the scenario tells the hostile child to write on its link (the user's own IPC traffic).
 * Every command but `claim` ends with a fence (see the fixture) and is answered with what the
 * parent acked; `claim` is answered by `stop-claim`; `overflow` is never answered (the parent
 * cuts the child off).
 */
export type HostileCommand =
  /** Per meta: one data frame of stream `stream` per channel, and a run frame on `public`. */
  | { cmd: 'spoof'; id: number; metas: WireMeta[]; channels: string[]; stream: string }
  /** One `sub` frame (acked when live) per channel. */
  | { cmd: 'subscribe'; id: number; channels: string[] }
  | { cmd: 'kill'; id: number; orders: KillOrder[] }
  /** A frame with a top-level `junk` field of `bytes` characters, then one with `meta.junk`. */
  | { cmd: 'junk'; id: number; bytes: number }
  /** One valid-looking frame on one line of more than `bytes` bytes. */
  | { cmd: 'oversized'; id: number; bytes: number }
  /** Claims `member`'s workerId for its own subtree, again and again, until `stop-claim`. */
  | { cmd: 'claim'; id: number; member: Identity }
  | { cmd: 'stop-claim'; id: number }
  /** `frames` sub frames of `perFrame` channels its subtree may not receive. */
  | { cmd: 'flood'; id: number; frames: number; perFrame: number }
  /** Joins `members` invented members and subscribes to their private and kill channels at once. */
  | { cmd: 'overflow'; id: number; members: number }
  | { cmd: 'tally'; id: number };

/** What a hostile command achieved, as the child saw it. */
export interface HostileResult {
  /** Frames written that a trust rule must refuse. */
  attempts: number;
  /** Of those, `sub` frames the parent acked (went live). */
  acked: number;
  /** `claim`: frames it then published under the claimed identity. */
  spoken?: number;
  /** `tally`: data messages received so far, by channel. */
  received?: Record<string, number>;
}

/** What the hostile child reports upward. */
export interface HostileReply {
  hostile: 'reply';
  id: number;
  result?: HostileResult;
  error?: string;
}

/** True when a user IPC message is a hostile command. */
export function isHostileCommand(value: unknown): value is HostileCommand {
  return typeof value === 'object' && value !== null && typeof (value as { cmd?: unknown }).cmd === 'string';
}

/** True when a user IPC message is the hostile child's reply. */
export function isHostileReply(value: unknown): value is HostileReply {
  return typeof value === 'object' && value !== null && (value as { hostile?: unknown }).hostile === 'reply';
}
