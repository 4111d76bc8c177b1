// The clustr worker of every clustr case, whatever the transport (it inherits its parent's).
// Private messages:
//   {i}                       a bench message: counted; `{done}` to the master once `expect` is met
//   {cmd:'expect', n}         announces how many bench messages (private or public) to wait for
//   {cmd:'blast', to, n, w}   publishes n bench messages to worker `to`, w per event-loop turn
//   {ping}                    echoed to the master unchanged (round trip)
// Public and group messages {i} are counted like private ones (fan-out, deliver: 'one').
// Requests: `echo` answers with the request's data.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type BenchEnvelope, loadCore } from '../clustr-api.js';

interface Command {
  i?: number;
  ping?: number;
  cmd?: 'expect' | 'blast';
  n?: number;
  to?: string;
  w?: number;
}

const { Worker } = await loadCore();
const worker = Worker.create({ group: 'bench' });
let count = 0;
let expected = Number.POSITIVE_INFINITY;

function check(): void {
  if (count < expected) return;
  worker.publish('master', { done: count });
  count = 0;
  expected = Number.POSITIVE_INFINITY;
}

async function blast(to: string, n: number, perTurn: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    worker.publish(to, { i });
    if ((i + 1) % perTurn === 0) await nextTurn();
  }
}

function onMessage({ data }: BenchEnvelope): void {
  const command = data as Command;
  if (command.i !== undefined) {
    count++;
    check();
  } else if (command.ping !== undefined) worker.publish('master', data);
  else if (command.cmd === 'expect') {
    expected = command.n ?? 0;
    check();
  } else if (command.cmd === 'blast') void blast(command.to ?? '', command.n ?? 0, command.w ?? 1000);
}

worker.onPrivate(onMessage);
worker.onPublic(onMessage);
worker.onGroup(onMessage);
worker.onRequest('echo', ({ data }) => data);
worker.on('error', (error) => console.error(`bench worker ${worker.workerId}: ${error.message}`));
// Under --cpu-prof (BENCH_CPU_PROF_DIR) the profile is only written on a normal exit.
if (process.execArgv.includes('--cpu-prof')) {
  process.once('SIGTERM', () => void worker.close().finally(() => process.exit(0)));
}
await worker.ready();
