// ESM: the original README's API, from the installed tarballs.
import Clustr from 'clustr-node';

const transport = process.env.REDIS_URL
  ? (await import('@clustr/transport-redis')).createRedisTransport({
      url: process.env.REDIS_URL,
      namespace: 'install-esm',
    })
  : undefined;
const master = Clustr.Master.create({ transport });
master.onConfirmation(2, 'up', async (last, all) => {
  console.log(`confirmed by ${all.length} workers of group ${last.meta.group} over ${master.transportName}`);
  await master.close();
});
master.spawn([{ file: './worker.mjs' }, { file: './worker.mjs' }]);
