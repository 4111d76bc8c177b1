export { CHILD_LINK_FD, EXIT_BAD_HANDSHAKE } from './defaults.js';
export type { ParentConnection, ParentLink } from './join-parent.js';
export { joinParent, signalReady } from './join-parent.js';
export type { ExitInfo } from './restart-backoff.js';
export type { ReadySignal, RestartOptions, RestartPolicy, SpawnSpec, StdioMode } from './spawn-spec.js';
export type { SpawnContext } from './spawn-workers.js';
export { spawnWorkers } from './spawn-workers.js';
export type {
  ReloadOptions,
  ReloadResult,
  RestartInfo,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerState,
} from './worker-handle.js';
