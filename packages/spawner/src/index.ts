export type { ChildEnvironment } from './child-environment.js';
export { readChildEnvironment, signalReady } from './child-environment.js';
export type { ExitInfo } from './restart-backoff.js';
export type { ReadySignal, RestartOptions, RestartPolicy, SpawnSpec, StdioMode } from './spawn-spec.js';
export type { SpawnContext } from './spawn-workers.js';
export { spawnWorkers } from './spawn-workers.js';
export type {
  RestartInfo,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerState,
} from './worker-handle.js';
