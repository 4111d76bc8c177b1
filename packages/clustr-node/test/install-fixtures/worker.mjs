import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'worker' });
await worker.ready();
worker.publish('confirmation', 'up');
