// A worker of group "jobs": answers the "square-sum" request with the sum of the squares of
// 1…n, computed the slow way so that a job takes a little while. Registered before the worker
// joins, so its first heartbeat already tells the master it answers "square-sum". When a reload
// replaces it, its shutdown hook hears why; the jobs it is answering are finished before it leaves.
import Clustr from 'clustr-node';

const worker = Clustr.Worker.create({ group: 'jobs' });

worker.onRequest<{ job: number; n: number }, { job: number; sum: number; by: string }>(
  'square-sum',
  ({ data }) => {
    let sum = 0;
    for (let i = 1; i <= data.n; i++) sum += i * i;
    return { job: data.job, sum, by: worker.workerId };
  },
);

worker.onShutdown((reason) => {
  if (reason.kind === 'reload')
    console.log(`        worker ${worker.workerId.slice(0, 8)} replaced by its new incarnation`);
});
