import {
  Master as CoreMaster,
  Worker as CoreWorker,
  type MasterOptions,
  type WorkerOptions,
} from '@clustr/core';
import { createIpcTransport } from '@clustr/transport-ipc';

/** The master of a cluster, as the original README creates it: `Clustr.Master.create()`. */
export type Master = CoreMaster;
/** A worker of a cluster, as the original README creates it: `Clustr.Worker.create({ group })`. */
export type Worker = CoreWorker;

/**
 * Creates masters. Without a `transport` option the master talks over Node IPC: nothing to
 * install, one machine. Pass `createRedisTransport({ url })` from `@clustr/transport-redis` to
 * span machines.
 */
export const Master = {
  /**
   * Creates the master. Returns at once; `await master.ready()` before relying on delivery.
   * @example
   * const master = Clustr.Master.create();
   * master.onConfirmation(2, 'identifier', () => console.log('received twice'));
   */
  create(options: MasterOptions = {}): CoreMaster {
    return CoreMaster.create({ defaultTransport: createIpcTransport, ...options });
  },
};

/**
 * Creates workers. A worker spawned by clustr inherits its parent's transport; one started by
 * hand uses IPC unless given a `transport`.
 */
export const Worker = {
  /**
   * Creates a worker of `group`. Returns at once; `await worker.ready()` before relying on delivery.
   * @example
   * const worker = Clustr.Worker.create({ group: 'worker' });
   * worker.onPublic((message) => console.log(message.data));
   */
  create(options: WorkerOptions): CoreWorker {
    return CoreWorker.create({ defaultTransport: createIpcTransport, ...options });
  },
};
