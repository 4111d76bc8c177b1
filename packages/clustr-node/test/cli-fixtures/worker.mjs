// A worker of the fixture cluster: group from argv[2]; spawns a worker of group argv[3] when
// given; forwards what its group receives to the master; sends the master a few ticks a second
// (so that rates are not all zero).
import { Worker } from '../../dist/index.js';

const [group, childGroup] = process.argv.slice(2);
const worker = Worker.create({ group });
worker.onGroup((message) => worker.publish('master', { got: message.data, by: worker.workerId, group }));
await worker.ready();
if (childGroup !== undefined) worker.spawn([{ file: './worker.mjs', args: [childGroup] }]);
// Never cleared: a tick that fires while the worker leaves (a kill order) is dropped, not thrown.
setInterval(() => worker.publish('master', { tick: group }), 250).unref();
