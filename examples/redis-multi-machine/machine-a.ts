// "Machine A": a master and two api workers. It waits until machine B's batch workers are there
// (whichever machine started first), talks to them on every channel, counts their confirmations,
// kills one of them, then tells everyone to shut down.
import { createRedisTransport } from '@clustr/transport-redis';
import Clustr from 'clustr-node';
import { createLog, redisUrl } from './shared.js';

const log = createLog('machine A');
const master = Clustr.Master.create({ transport: createRedisTransport({ url: redisUrl() }) });
const batchWorkers = new Set<string>();
let talking = false;

master.onPrivate((message) => {
  const { meta, data } = message;
  log(`from ${meta.group} ${meta.workerId?.slice(0, 8)}: ${JSON.stringify(data)}`);
  if (meta.group !== 'batch' || meta.workerId === undefined) return;
  batchWorkers.add(meta.workerId);
  if (batchWorkers.size === 2 && !talking) {
    talking = true;
    master.publish('public', 'hello from machine A');
    master.publish('batch', { job: 'resize', images: 3 });
  }
});

master.onConfirmation(2, 'batch-done', () => {
  const [victim] = batchWorkers;
  if (victim === undefined) return;
  log(`both batch workers confirmed; killing ${victim.slice(0, 8)} on machine B with exit code 0`);
  master.killWorker(victim, 0);
});

master.onPublic(async (message) => {
  if (message.data !== 'victim-gone') return;
  log('machine B saw its batch worker exit; shutting the cluster down');
  master.publish('public', 'shutdown');
  await master.close();
  log('closed');
});

master.spawn([{ file: './api-worker.ts' }, { file: './api-worker.ts' }]);
await master.ready();
log('master ready on Redis; calling the roll');
master.publish('public', 'roll-call');
