import type { ClustrError, Meta, Transport } from '@clustr/protocol';
import type { ParentConnection } from '@clustr/spawner';
import type { PresenceOptions } from './presence-types.js';

/** Who a process is: what `Master` and `Worker` tell their common base. */
export interface ProcessIdentity {
  readonly workerId: string | undefined;
  readonly group: string;
  /** The channels it subscribes to. */
  readonly channels: readonly string[];
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
  /** The process was told to exit; it closes and exits with `exitCode` right after. */
  kill: [KillOrder];
  /** The process left the cluster. */
  close: [];
}
