import type { ClustrError, Meta, Transport } from '@clustr/protocol';
import type { ParentConnection } from '@clustr/spawner';
import type { PresenceOptions } from './presence-types.js';

/** Who a process is: what `Master` and `Worker` tell their common base. */
export interface ProcessIdentity {
  readonly workerId: string | undefined;
  readonly group: string;
  /** The channels it subscribes to. */
  readonly channels: readonly string[];
  /**
   * Those of its workerId (private, `kill:`): a retired incarnation (a reload) lets go of them
   * first, so that its successor gets what is sent there from then on.
   */
  readonly ownChannels: readonly string[];
  /** The parent that spawned this process, when clustr did. */
  readonly parent: ParentConnection | undefined;
}

/** Options every cluster process (master or worker) takes. */
export interface ClusterProcessOptions {
  /**
   * The transport this process talks over, e.g. `createRedisTransport({ url })`.
   * @default the parent's transport when this process was spawned by clustr, else `defaultTransport()`
   */
  transport?: Transport;
  /**
   * Builds the transport when none is given and none is inherited from a parent. The
   * `clustr-node` facade sets it to the IPC transport.
   * @default none: `ready()` rejects with `ERR_CLUSTR_NO_TRANSPORT`
   */
  defaultTransport?: () => Transport;
  /**
   * Heartbeats of presence (`members()`, `onJoin`, `onLeave`): how often, and after how long
   * without one a member counts as gone.
   * @default { intervalMs: 1000, timeoutMs: 5000 }
   */
  presence?: PresenceOptions;
  /**
   * How long this process's shutdown hooks (`onShutdown`) may run together before it leaves
   * anyway (the late ones are reported). A spawned child should have a spec `stopTimeoutMs`
   * longer than this, or its parent's SIGKILL cuts its hooks.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
  /**
   * Whether this process handles SIGTERM and SIGINT (a graceful stop, exit code 0; a second
   * SIGINT during the shutdown exits at once with 130) and SIGHUP (a master reloads its workers,
   * a worker stops gracefully). `false` for a program that manages its own signals: it calls
   * `close()` itself.
   * @default true
   */
  handleSignals?: boolean;
}

/** Why a process was told to exit by `killWorker`. */
export interface KillOrder {
  /** The exit code the process will exit with. */
  exitCode: number;
  /** Who sent the order. */
  from: Meta;
}

/** The events of a master or worker. */
export interface ClusterProcessEvents {
  /** Bad input, transport trouble or a throwing handler: reported, never fatal. */
  error: [ClustrError];
  /** Subscriptions are live. */
  ready: [];
  /** The process was told to exit; it shuts down (its hooks run) and exits with `exitCode`. */
  kill: [KillOrder];
  /** The process left the cluster. */
  close: [];
}
