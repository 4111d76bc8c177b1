// TypeScript under tsx: workers are .ts files, run by the master's own tsx flags.
import Clustr, { type Envelope } from 'clustr-node';

const master = Clustr.Master.create();
master.onConfirmation(2, 'up', async (last: Envelope<string>, all: Envelope<string>[]) => {
  console.log(`confirmed by ${all.length} workers of group ${last.meta.group} over ${master.transportName}`);
  await master.close();
});
master.spawn([{ file: './worker.ts' }, { file: './worker.ts' }]);
