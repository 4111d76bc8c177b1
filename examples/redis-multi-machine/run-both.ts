// One command for CI and the impatient: starts a private redis-server on a free port, then
// machine B and machine A as two separate process trees (no IPC between them), and exits 0 when
// both ended cleanly. With two terminals, run `machine-b` and `machine-a` yourself instead.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startRedisServer } from '@clustr-internal/test-utils';

const TIMEOUT_MS = 30_000;
const redis = await startRedisServer();
const env = { ...process.env, REDIS_URL: redis.url };
const start = (file: string) =>
  spawn(process.execPath, [...process.execArgv, file], { stdio: 'inherit', env });
const machineB = start('machine-b.ts');
const machineA = start('machine-a.ts');
const timer = setTimeout(() => {
  console.error(`run-both: the machines did not finish within ${TIMEOUT_MS} ms`);
  machineA.kill('SIGKILL');
  machineB.kill('SIGKILL');
}, TIMEOUT_MS);
const [[codeA], [codeB]] = await Promise.all([once(machineA, 'exit'), once(machineB, 'exit')]);
clearTimeout(timer);
await redis.stop();
console.log(`run-both: machine A exited with ${codeA}, machine B with ${codeB}`);
process.exitCode = codeA === 0 && codeB === 0 ? 0 : 1;
