// CommonJS: require('clustr-node') exactly as the original README.
const Clustr = require('clustr-node');

const master = Clustr.Master.create();
master.onConfirmation(2, 'up', (last, all) => {
  console.log(`confirmed by ${all.length} workers of group ${last.meta.group} over ${master.transportName}`);
  master.close();
});
master.spawn([{ file: './worker.cjs' }, { file: './worker.cjs' }]);
