// The original clustr-node README, told in TypeScript: a master that counts confirmations and
// reads its private channel; web workers pinned to cores 0 and 1; cache workers that spawn their
// own children; a bash script run with `command: 'bash'`; messages on every channel; two kills.
// It prints what happened and exits 0 when everything it expected happened.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import Clustr, { type Envelope } from 'clustr-node';
import { createLog } from './log.js';

const log = createLog('master');
const master = Clustr.Master.create();
const seen = new Set<string>();
const expect = (what: string): void => {
  seen.add(what);
  log(`✓ ${what}`);
  if (seen.size === EXPECTED.length) void finish(true);
};
const EXPECTED = [
  'cache confirmations × 2',
  'bash says hello',
  'web 0 got public',
  'web 1 got public',
  'web 0 got group',
  'web 1 got group',
  'web 0 got private',
  'cache child got public',
  'web 0 restarted after kill(1)',
  'web 1 stayed down after kill(0)',
];

master.onConfirmation(2, 'cache', () => {
  expect('cache confirmations × 2');
  master.publish('public', 'hello everyone');
  master.publish('web', 'hello web group');
  master.publish(web0.workerId, 'hello web 0, privately');
});

master.onPrivate((message: Envelope) => {
  const { data, meta } = message;
  log(`private from ${meta.group} ${meta.workerId?.slice(0, 8) ?? ''}: ${JSON.stringify(data)}`);
  if (data === 'hello from bash') expect('bash says hello');
  if (typeof data === 'object' && data !== null && 'got' in data) {
    const { got, name } = data as { got: string; name: string };
    expect(`${name} got ${got}`);
    if (name === 'web 0' && got === 'private') killBoth();
  }
});

// Cores 0 and 1 where the machine has them; a one-core machine pins both to 0.
const lastCore = cpus().length - 1;
const [web0, web1, , , bash] = master.spawn([
  { file: './web-worker.ts', cpu: 0, args: ['web 0'] },
  { file: './web-worker.ts', cpu: Math.min(1, lastCore), args: ['web 1'] },
  { file: './cache-worker.ts' },
  { file: './cache-worker.ts' },
  { file: './bashscript.sh', command: 'bash', restart: 'never' },
]);
log(
  `spawned web 0 (${web0.workerId.slice(0, 8)}) on cpu 0, web 1 (${web1.workerId.slice(0, 8)}) on cpu ${Math.min(1, lastCore)}, 2 cache workers and a bash script (${bash.workerId.slice(0, 8)})`,
);

// Show the pinning as the kernel sees it: the worker process itself, not a leftover taskset.
for (const [name, handle] of [
  ['web 0', web0],
  ['web 1', web1],
] as const) {
  void handle.ready.then(() => {
    const status = readFileSync(`/proc/${handle.pid}/status`, 'utf8');
    log(`${name} is pid ${handle.pid}, Cpus_allowed_list: ${/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1]}`);
  });
}

let killed = false;
function killBoth(): void {
  if (killed) return;
  killed = true;
  web0.once('restart', () => log('web 0 exited with 1: restarting it (on-failure)'));
  web0.once('ready', () => expect('web 0 restarted after kill(1)'));
  web1.once('exit', (info) => {
    log(`web 1 exited with ${info.code}`);
    void web1.exited.then(() => expect('web 1 stayed down after kill(0)'));
  });
  master.killWorker(web0.workerId, 1);
  master.killWorker(web1.workerId, 0);
}

const timer = setTimeout(() => void finish(false), 30_000);
async function finish(ok: boolean): Promise<void> {
  clearTimeout(timer);
  if (!ok) log(`✗ missing: ${EXPECTED.filter((e) => !seen.has(e)).join(', ')}`);
  await master.close();
  log(ok ? `all ${EXPECTED.length} expectations met; the cluster is closed` : 'failed');
  process.exitCode = ok ? 0 : 1;
}
