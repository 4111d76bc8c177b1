export type { ClustrErrorCode, Envelope, JsonData, JsonValue, Meta, Transport } from '@clustr/protocol';
export { ClustrError, isClustrError } from '@clustr/protocol';
export type { ExitInfo, ReloadResult, SpawnSpec, WorkerHandle } from '@clustr/spawner';
export type { ClusterProcessEvents, ClusterProcessOptions, KillOrder } from './cluster-process.js';
export { ClusterProcess, DEFAULT_MAX_PENDING_MESSAGES } from './cluster-process.js';
export type { ConfirmationCallback } from './confirmations.js';
export type { MessageHandler } from './handler-list.js';
export type { MasterOptions } from './master.js';
export { Master } from './master.js';
export type { ReloadOptions, ReloadSummary, ReplacedWorker } from './master-reload.js';
export type {
  LeaveReason,
  Member,
  MemberState,
  MemberStats,
  PresenceOptions,
} from './presence-types.js';
export { DEFAULT_PRESENCE_INTERVAL_MS, DEFAULT_PRESENCE_TIMEOUT_MS } from './presence-types.js';
export type {
  OnRequestOptions,
  PublishOptions,
  RequestHandler,
  RequestOptions,
  RequestStats,
} from './request-types.js';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './request-types.js';
export type { ShutdownHook, ShutdownReason, ShutdownSignal } from './shutdown-types.js';
export { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './shutdown-types.js';
export type { WorkerOptions } from './worker.js';
export { Worker } from './worker.js';
