// A grandchild of the master: it hears public messages too, however deep it sits.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'cache-child' });
let reported = false;
worker.onPublic(() => {
  if (reported) return;
  reported = true;
  worker.publish('master', { name: 'cache child', got: 'public' });
});
