import { ClustrError, isClustrError } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { Master, Worker } from './defaults.js';

// Every type a user writes in an annotation, each from the package that declares it (the
// .d.ts files import those packages, hence the dependencies).
export type {
  ClusterProcess,
  ClusterProcessEvents,
  ConfirmationCallback,
  KillOrder,
  LeaveReason,
  MasterOptions,
  Member,
  MemberState,
  MemberStats,
  MessageHandler,
  OnRequestOptions,
  PresenceOptions,
  PublishOptions,
  ReloadOptions,
  ReloadSummary,
  ReplacedWorker,
  RequestHandler,
  RequestOptions,
  RequestStats,
  ShutdownHook,
  ShutdownReason,
  ShutdownSignal,
  WorkerOptions,
} from '@clustr/core';
export { ClustrError, isClustrError } from '@clustr/core';
export type { ClustrErrorCode, Envelope, JsonData, JsonValue, Meta, Transport } from '@clustr/protocol';
export type {
  ExitInfo,
  ReadySignal,
  ReloadResult,
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
export type { IpcTransport, IpcTransportOptions } from '@clustr/transport-ipc';
/**
 * `restoreTransport` is the IPC transport's, re-exported because this package's own file is the
 * module its children import to rebuild the transport (the descriptor names the bundle).
 */
export { createIpcTransport, restoreTransport } from '@clustr/transport-ipc';
export { Master, Worker } from './defaults.js';

/**
 * The whole API as one object, for `import Clustr from 'clustr-node'` and the original
 * README's `Clustr.Master.create()` / `Clustr.Worker.create({ group })`.
 */
const Clustr = { Master, Worker, ClustrError, isClustrError, createIpcTransport };
export default Clustr;
