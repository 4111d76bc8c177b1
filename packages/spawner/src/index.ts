export {
  CHILD_CHANNEL_FD,
  CHILD_LINK_FD,
  CLUSTR_ENV,
  DEFAULT_MAX_BUFFERED_FRAMES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_INITIAL_DELAY_MS,
  DEFAULT_RESTART_MAX_DELAY_MS,
  DEFAULT_RESTART_POLICY,
  DEFAULT_RESTART_RESET_AFTER_MS,
  DEFAULT_RESTART_WINDOW_MS,
  DEFAULT_STDIO,
  DEFAULT_STOP_SIGNAL,
  DEFAULT_STOP_TIMEOUT_MS,
  EXIT_BAD_HANDSHAKE,
} from './defaults.js';
export type { ParentConnection, ParentLink } from './join-parent.js';
export { joinParent, signalReady } from './join-parent.js';
export { WATCH_PARENT_PRELOAD } from './node-exec-argv.js';
export type { ExitInfo } from './restart-backoff.js';
export type {
  NormalizedRestartOptions,
  NormalizedSpawnSpec,
  ReadySignal,
  RestartOptions,
  RestartPolicy,
  SpawnSpec,
  StdioMode,
} from './spawn-spec.js';
export type { SpawnContext } from './spawn-workers.js';
export { spawnWorkers } from './spawn-workers.js';
export type { ValidateSpawnSpecsOptions } from './validate-spawn-specs.js';
export { validateSpawnSpecs } from './validate-spawn-specs.js';
export type {
  RestartInfo,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerState,
} from './worker-handle.js';
