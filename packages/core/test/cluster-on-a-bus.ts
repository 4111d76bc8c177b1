import type { ClustrError } from '@clustr/protocol';
import { createMemoryBus, createMemoryTransport, type MemoryBus } from '@clustr-internal/test-utils';
import { type ClusterProcess, Master, Worker } from '../src/index.js';

/** A master and workers in this test process, each with a memory transport on one bus. */
export interface BusCluster extends AsyncDisposable {
  readonly bus: MemoryBus;
  readonly master: Master;
  /** Errors each process emitted, by process. */
  readonly errors: Map<ClusterProcess, ClustrError[]>;
  /** Adds a worker of `group`; `setUp` runs before it joins (e.g. registers its handlers). */
  worker(group: string, setUp?: (worker: Worker) => void): Promise<Worker>;
  /** Resolves once `proc` knows every one of `ids` (by member id); wakes on its joins. */
  knows(proc: ClusterProcess, ids: readonly string[]): Promise<void>;
}

/** Starts a master on a fresh bus; closes everything on dispose. */
export async function busCluster(): Promise<BusCluster> {
  const bus = createMemoryBus();
  const processes: ClusterProcess[] = [];
  const errors = new Map<ClusterProcess, ClustrError[]>();
  const track = <P extends ClusterProcess>(proc: P): P => {
    processes.push(proc);
    const list: ClustrError[] = [];
    errors.set(proc, list);
    proc.on('error', (error) => list.push(error));
    return proc;
  };
  const master = track(Master.create({ transport: createMemoryTransport({ bus }) }));
  await master.ready();
  const knows = (proc: ClusterProcess, ids: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      const check = () => ids.every((id) => proc.members().some((m) => m.id === id));
      if (check()) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for members ${ids.join(', ')}`)),
        5000,
      );
      const off = proc.onJoin(() => {
        if (!check()) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  return {
    bus,
    master,
    errors,
    knows,
    async worker(group, setUp) {
      const worker = track(Worker.create({ group, transport: createMemoryTransport({ bus }) }));
      setUp?.(worker);
      await worker.ready();
      await knows(master, [worker.workerId]);
      return worker;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(processes.map((proc) => proc.close()));
    },
  };
}
