// A cache worker: spawns a child of its own, and confirms to the master once that child is up.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'cache' });
const [child] = worker.spawn([{ file: './cache-child.ts' }]);
await child.ready;
await worker.ready();
worker.publish('confirmation', 'cache');
