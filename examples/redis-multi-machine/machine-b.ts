// "Machine B": a process started by hand (not spawned by machine A) joins the same Redis as a
// worker of group "gateway" and spawns two batch workers of its own, which inherit Redis.
import { createRedisTransport } from '@clustr/transport-redis';
import Clustr from 'clustr-node';
import { createLog, redisUrl } from './shared.js';

const log = createLog('machine B');
const gateway = Clustr.Worker.create({
  group: 'gateway',
  transport: createRedisTransport({ url: redisUrl() }),
});
let shuttingDown = false;
for (const handle of gateway.spawn([{ file: './batch-worker.ts' }, { file: './batch-worker.ts' }])) {
  handle.on('exit', (info) => {
    log(`batch worker ${handle.workerId.slice(0, 8)} exited with ${info.code}`);
    if (!shuttingDown) gateway.publish('public', 'victim-gone');
  });
}
gateway.onPublic(async (message) => {
  if (message.data !== 'shutdown') return;
  shuttingDown = true;
  log('shutdown received: closing (this stops the batch workers too)');
  await gateway.close();
  log('closed');
});
await gateway.ready();
log(`gateway ${gateway.workerId.slice(0, 8)} ready on Redis`);
