// A small cluster for the `clustr` command's tests and the README: a master (in this process)
// with two web workers, a cache worker that spawns a shard (a grandchild) and a bash child,
// built from dist/ as users run it. Prints one JSON line per event; "stop" on stdin closes it.
// Env: CLUSTER_NAME; REDIS_URL and REDIS_NAMESPACE (else IPC); SMALL=1 (the web workers only).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Master } from '../../dist/index.js';

const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const transport = process.env.REDIS_URL
  ? (await import('@clustr/transport-redis')).createRedisTransport({
      url: process.env.REDIS_URL,
      namespace: process.env.REDIS_NAMESPACE,
    })
  : undefined;
const master = Master.create({ name: process.env.CLUSTER_NAME ?? 'shop', transport });
master.on('error', (error) => say({ event: 'error', code: error.code, message: error.message }));
master.onPrivate((message) => {
  if (message.data?.got !== undefined) say({ event: 'got', ...message.data });
});
master.onJoin((member) => say({ event: 'join', id: member.id, group: member.group }));
master.onLeave((member, reason) => say({ event: 'leave', id: member.id, group: member.group, reason }));
const children = master.spawn([
  { file: './worker.mjs', args: ['web'], cpu: 0 },
  { file: './worker.mjs', args: ['web'] },
  ...(process.env.SMALL
    ? []
    : [
        { file: './worker.mjs', args: ['cache', 'shard'] },
        { file: './idle.sh', command: 'bash' },
      ]),
]);
for (const child of children) {
  child.on('exit', (info) => say({ event: 'exit', workerId: child.workerId, code: info.code }));
}
await master.ready();

/** This master's tree (a Redis namespace may hold another master's too), once all are ready. */
function ownTree() {
  const members = master.members();
  const tree = new Set([members[0].id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of members) {
      if (!tree.has(m.id) && tree.has(m.parentId) && m.state === 'ready') grew = tree.add(m.id) !== undefined;
    }
  }
  return [...tree];
}
const socket = join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), 'clustr', `${process.pid}-1.sock`);
const expected = process.env.SMALL ? 3 : 6;
await new Promise((resolve) => {
  // The members join over a few heartbeats; checked on each join and a few times a second.
  const check = () => ownTree().length >= expected && existsSync(socket) && resolve();
  master.onJoin(check);
  setInterval(check, 100).unref();
  check();
});
say({ event: 'ready', pid: process.pid, members: ownTree() });
const commands = createInterface({ input: process.stdin });
commands.on('line', async (line) => {
  if (line.trim() !== 'stop') return;
  await master.close();
  // Nothing of clustr holds the process now; stdin would.
  commands.close();
  process.stdin.destroy();
});
