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
 * `options`. Travels to the child as JSON in the `CLUSTR_TRANSPORT` environment variable.
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

/** The signature of a transport module's {@link RESTORE_TRANSPORT_EXPORT}. */
export type RestoreTransport = (options: Readonly<Record<string, unknown>>) => Transport;

/**
 * The link to a child this process spawned (made by `@clustr/spawner`): the child's IPC channel,
 * read and written by clustr itself, one JSON line per message. Garbage the child writes never
 * reaches Node's IPC parser; it is reported through {@link ChildLink.onBadInput}.
 */
export interface ChildLink {
  /** The child's workerId. */
  readonly workerId: string;
  /** The child's current pid. */
  readonly pid: number | undefined;
  /** True once the channel is closed (the child exited or was restarted). */
  readonly isClosed: boolean;
  /** Bytes written but not yet taken by the child. */
  readonly writableLength: number;
  /**
   * Writes complete newline-terminated lines. Returns false when the pipe's buffer is full:
   * wait for {@link ChildLink.onDrain} before writing more. A write after close is dropped.
   */
  write(lines: string): boolean;
  /** Each parsed message the child wrote that carries `"clustr":1` (validated by the receiver). */
  onFrame(handler: (frame: unknown) => void): () => void;
  /** Lines that are not JSON or are too long: dropped, one `ERR_CLUSTR_BAD_FRAME` each. */
  onBadInput(handler: (error: ClustrError) => void): () => void;
  /** The pipe can take more after a `write` returned false. */
  onDrain(handler: () => void): () => void;
  /** The channel closed. */
  onClose(handler: () => void): () => void;
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
   * Takes the IPC link to a child this process spawned. The IPC transport routes over it; other
   * transports relay into the cluster the data frames a non-Node child writes on it.
   */
  adopt(child: ChildLink): void;
  /** Leaves the cluster: flushes what was queued, unsubscribes, closes. Idempotent. */
  close(): Promise<void>;
}
