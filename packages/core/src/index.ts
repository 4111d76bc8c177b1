export type { ClustrErrorCode, Envelope, JsonData, JsonValue, Meta, Transport } from '@clustr/protocol';
export { ClustrError, isClustrError } from '@clustr/protocol';
export type {
  ExitInfo,
  ReadySignal,
  RestartInfo,
  RestartOptions,
  RestartPolicy,
  SpawnSpec,
  StdioMode,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerState,
} from '@clustr/spawner';
export type { ClusterProcessEvents, ClusterProcessOptions, KillOrder } from './cluster-process.js';
export { ClusterProcess, DEFAULT_MAX_PENDING_MESSAGES } from './cluster-process.js';
export type { ConfirmationCallback } from './confirmations.js';
export type { MessageHandler } from './handler-list.js';
export type { MasterOptions } from './master.js';
export { Master } from './master.js';
export type { WorkerOptions } from './worker.js';
export { Worker } from './worker.js';
