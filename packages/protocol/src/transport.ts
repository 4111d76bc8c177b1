import type { ClustrError } from './clustr-error.js';
import type { EncodedMeta, Envelope } from './envelope.js';

/** Who the process behind a transport is. */
export interface TransportSelf {
  /** The process's workerId; absent for the master. */
  readonly workerId?: string;
  /** The process's group; `"master"` for the master. */
  readonly group: string;
}

/**
 * How a spawned child rebuilds its parent's transport: the child imports `module` (an absolute
 * `file:` URL or a package name) and calls its {@link RESTORE_TRANSPORT_EXPORT} export with
 * `options`. Travels to the child over its link, in the parent's `welcome` frame (never in the
 * environment: `options` may hold credentials).
 */
export interface TransportDescriptor {
  /** The transport's name, e.g. `"ipc"` or `"redis"`. */
  readonly name: string;
  /** What the child imports to rebuild the transport. */
  readonly module: string;
  /** JSON options handed to the restore function. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** The export every transport module offers to rebuild itself from a {@link TransportDescriptor}. */
export const RESTORE_TRANSPORT_EXPORT = 'restoreTransport';

/** What a child has when it rebuilds its parent's transport, next to the descriptor's options. */
export interface RestoreContext {
  /** The child's link to its parent, on which the IPC transport routes. */
  readonly parent: Link;
}

/** The signature of a transport module's {@link RESTORE_TRANSPORT_EXPORT}. */
export type RestoreTransport = (
  options: Readonly<Record<string, unknown>>,
  context: RestoreContext,
) => Transport;

/**
 * One end of the link between a process and a child it spawned: a socket carrying clustr frames
 * as JSON lines, the same way in both directions. Each end reads its peer's lines itself, parses
 * each once and hands the parsed value together with the line it came from, so that a relay can
 * forward the very bytes it validated. Garbage never reaches Node's IPC parser; it is reported
 * through {@link Link.onBadInput}.
 */
export interface Link {
  /** True once the link is closed (the peer exited, or this end was closed). */
  readonly isClosed: boolean;
  /** Bytes written but not yet taken by the peer. */
  readonly writableLength: number;
  /**
   * Writes complete newline-terminated lines. Returns false when the socket's buffer is full:
   * wait for {@link Link.onDrain} before writing more. A write after close is dropped.
   */
  write(lines: string): boolean;
  /**
   * Each line the peer wrote that carries `"clustr":1`, parsed once (not yet validated: the
   * receiver does that) with its text and its size in bytes — except the handshake's `hello`,
   * `welcome` and `ready`, which the ends of the link answer themselves.
   */
  onFrame(handler: (frame: unknown, line: string, bytes: number) => void): () => void;
  /** Lines that are not JSON or are too long: dropped, one `ERR_CLUSTR_BAD_FRAME` each. */
  onBadInput(handler: (error: ClustrError) => void): () => void;
  /** The socket can take more after a `write` returned false. */
  onDrain(handler: () => void): () => void;
  /** The link closed. */
  onClose(handler: () => void): () => void;
  /**
   * Closes the link at once, dropping what is queued: a transport cuts off a peer that broke a
   * hard rule (past its subscription cap, or not reading while its control frames pile up).
   */
  destroy(): void;
}

/** The parent's end of the link to a child it spawned (made by `@clustr/spawner`). */
export interface ChildLink extends Link {
  /** The child's workerId. */
  readonly workerId: string;
  /** The child's current pid. */
  readonly pid: number | undefined;
}

/**
 * Moves frames between the processes of a cluster. The core owns the semantics (envelopes,
 * confirmations, kill, lifecycle); a transport only moves frames. Create one with a factory such
 * as `createIpcTransport()` or `createRedisTransport(options)`.
 */
export interface Transport {
  /** A short name for logs and descriptors, e.g. `"ipc"`. */
  readonly name: string;
  /** Joins the cluster as `self`; resolves when the initial subscriptions are live. */
  connect(self: TransportSelf): Promise<void>;
  /** Starts receiving `channel`; resolves when the subscription is live across the cluster. */
  subscribe(channel: string): Promise<void>;
  /** Stops receiving `channel`. */
  unsubscribe(channel: string): Promise<void>;
  /**
   * Sends a message to every subscriber of `channel`, this process included when it subscribes.
   * `dataJson` is the data already encoded once by the caller. Queues and never throws on a
   * closed or slow peer; a full queue is reported through {@link Transport.onError}.
   */
  publish(channel: string, meta: EncodedMeta, dataJson: string): void;
  /** Every message that reaches this process on a subscribed channel. */
  onMessage(handler: (channel: string, envelope: Envelope) => void): () => void;
  /** Bad input, lost connections and overflows: reported here, never thrown at the loop. */
  onError(handler: (error: ClustrError) => void): () => void;
  /** How a spawned child rebuilds this transport. */
  describe(): TransportDescriptor;
  /**
   * Takes the link to a child this process spawned. The IPC transport routes over it; other
   * transports relay into the cluster the data frames a non-Node child writes on it.
   */
  adopt(child: ChildLink): void;
  /** Leaves the cluster: flushes what was queued, unsubscribes, closes. Idempotent. */
  close(): Promise<void>;
}
