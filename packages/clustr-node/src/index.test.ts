import { describe, expect, it } from 'vitest';
import Clustr, {
  ClustrError,
  createIpcTransport,
  isClustrError,
  Master,
  type Transport,
  Worker,
} from './index.js';

/** A transport that is not IPC and moves nothing: only its name is looked at. */
function inertTransport(name: string): Transport {
  return {
    name,
    connect: async () => {},
    subscribe: async () => {},
    unsubscribe: async () => {},
    publish: () => {},
    onMessage: () => () => {},
    onError: () => () => {},
    describe: () => ({ name, module: 'inert', options: {} }),
    adopt: () => {},
    close: async () => {},
  };
}

describe('clustr-node facade', () => {
  it('offers the original API on the default export and as named exports', () => {
    expect(Clustr.Master).toBe(Master);
    expect(Clustr.Worker).toBe(Worker);
    expect(Clustr.ClustrError).toBe(ClustrError);
    expect(Clustr.createIpcTransport).toBe(createIpcTransport);
    expect(typeof Clustr.Master.create).toBe('function');
  });

  it('defaults the master to the IPC transport', async () => {
    const master = Clustr.Master.create();
    await master.ready();
    expect(master.transportName).toBe('ipc');
    expect(master.group).toBe('master');
    await master.close();
  });

  it('defaults a worker started by hand to the IPC transport', async () => {
    const worker = Clustr.Worker.create({ group: 'worker' });
    await worker.ready();
    expect(worker.transportName).toBe('ipc');
    await worker.close();
  });

  it('lets a given transport win over the default', async () => {
    const worker = Clustr.Worker.create({ group: 'worker', transport: inertTransport('inert') });
    await worker.ready();
    expect(worker.transportName).toBe('inert');
    await worker.close();
  });

  it('refuses a worker without a group, or with a reserved one, with a ClustrError', () => {
    let caught: unknown;
    try {
      Clustr.Worker.create({ group: 'public' });
    } catch (error) {
      caught = error;
    }
    expect(isClustrError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'ERR_CLUSTR_INVALID_GROUP' });
    expect(() => Clustr.Worker.create({} as never)).toThrowError(/needs a group/);
  });
});
