const Clustr = require('clustr-node');

const worker = Clustr.Worker.create({ group: 'worker' });
worker.ready().then(() => worker.publish('confirmation', 'up'));
