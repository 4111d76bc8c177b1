import { ClustrError, isClustrError } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { Master, Worker } from './defaults.js';

// Every type a user writes in an annotation; protocol's straight from @clustr/protocol, the
// dependency that declares them (the .d.ts files import it).
export type {
  ClusterProcess,
  ClusterProcessEvents,
  ConfirmationCallback,
  ExitInfo,
  KillOrder,
  MasterOptions,
  MessageHandler,
  ReadySignal,
  RestartInfo,
  RestartOptions,
  RestartPolicy,
  SpawnSpec,
  StdioMode,
  StopOptions,
  WorkerHandle,
  WorkerHandleEvents,
  WorkerOptions,
  WorkerState,
} from '@clustr/core';
export { ClustrError, isClustrError } from '@clustr/core';
export type { ClustrErrorCode, Envelope, JsonData, JsonValue, Meta, Transport } from '@clustr/protocol';
export type { IpcTransport, IpcTransportOptions } from '@clustr/transport-ipc';
export { createIpcTransport } from '@clustr/transport-ipc';
export { Master, Worker } from './defaults.js';

/**
 * The whole API as one object, for `import Clustr from 'clustr-node'` and the original
 * README's `Clustr.Master.create()` / `Clustr.Worker.create({ group })`.
 */
const Clustr = { Master, Worker, ClustrError, isClustrError, createIpcTransport };
export default Clustr;
