// Measures what the parent-watch shim adds to the start of a non-Node child: the time from
// spawn() to the first line a bash worker writes on $NODE_CHANNEL_FD, bare and under the shim,
// interleaved, and the memory of the watch each shimmed child keeps. Linux only.
// Run: pnpm --filter @clustr/spawner exec tsx test/foreign-start-cost.ts [runs]
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { withParentWatch } from '../src/parent-watch-shim.js';
import { commandLineOf, fixture, groupMembers } from './helpers.js';

const runs = Number(process.argv[2] ?? 200);
const script = fixture('sleepers.sh');

async function startOnce(shimmed: boolean): Promise<{ ms: number; child: ChildProcess }> {
  const run = ['bash', script];
  const [program, ...args] = (shimmed ? withParentWatch(run) : run) as [string, ...string[]];
  const started = performance.now();
  const child = spawn(program, args, {
    env: { ...process.env, NODE_CHANNEL_FD: '3' },
    stdio: ['ignore', 'ignore', 'inherit', 'pipe', 'pipe', ...(shimmed ? (['pipe'] as const) : [])],
    detached: true,
  });
  await once(child.stdio[3] as Readable, 'data');
  return { ms: performance.now() - started, child };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;
const times = { bare: [] as number[], shimmed: [] as number[] };
let watchRss = 0;
for (let i = 0; i < runs; i++) {
  for (const shimmed of i % 2 === 0 ? [false, true] : [true, false]) {
    const { ms, child } = await startOnce(shimmed);
    times[shimmed ? 'shimmed' : 'bare'].push(ms);
    if (shimmed && watchRss === 0) {
      const watch = groupMembers(child.pid!).find((pid) => commandLineOf(pid).includes('clustr-watch'));
      if (watch !== undefined) watchRss = rssKiB(watch);
    }
    await stop(child);
  }
}
const line = (name: keyof typeof times) =>
  `${name.padEnd(8)} median ${median(times[name]).toFixed(2)} ms, p90 ${p90(times[name]).toFixed(2)} ms`;
console.log(`spawn() → first line of a bash worker, ${runs} runs each, interleaved`);
console.log(line('bare'));
console.log(line('shimmed'));
console.log(
  `added    median ${(median(times.shimmed) - median(times.bare)).toFixed(2)} ms; the watch's RSS ${watchRss} KiB`,
);
