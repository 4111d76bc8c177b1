// A batch worker on machine B: says hello to whichever master listens on this Redis (now, and
// again at every roll call), does its group's jobs and confirms them.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'batch' });
worker.onGroup((message) => {
  worker.publish('master', { done: message.data });
  worker.publish('confirmation', 'batch-done');
});
worker.onPublic(async (message) => {
  if (message.data === 'roll-call') worker.publish('master', { hello: 'batch' });
  if (message.data === 'shutdown') await worker.close();
});
await worker.ready();
worker.publish('master', { hello: 'batch' });
