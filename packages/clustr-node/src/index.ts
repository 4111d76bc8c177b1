import { ClustrError, isClustrError } from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';
import { Master, Worker } from './defaults.js';

export type {
  ClusterProcessEvents,
  ClustrErrorCode,
  ConfirmationCallback,
  Envelope,
  ExitInfo,
  KillOrder,
  MasterOptions,
  MessageHandler,
  Meta,
  SpawnSpec,
  Transport,
  WorkerHandle,
  WorkerOptions,
} from '@clustr/core';
export { ClustrError, isClustrError } from '@clustr/core';
export type { IpcTransportOptions } from '@clustr/transport-ipc';
export { createIpcTransport } from '@clustr/transport-ipc';
export { Master, Worker } from './defaults.js';

/**
 * The whole API as one object, for `import Clustr from 'clustr-node'` and the original
 * README's `Clustr.Master.create()` / `Clustr.Worker.create({ group })`.
 */
const Clustr = { Master, Worker, ClustrError, isClustrError, createIpcTransport };
export default Clustr;
