import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'worker' });
await worker.ready();
const data: string = 'up';
worker.publish('confirmation', data);
