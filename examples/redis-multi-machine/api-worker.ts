// An api worker on machine A: inherits the Redis transport from its master, no code for it here.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'api' });
worker.onPublic(async (message) => {
  if (message.data === 'shutdown') await worker.close();
});
