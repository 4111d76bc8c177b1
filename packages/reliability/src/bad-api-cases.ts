import { FIXTURE_EXEC_ARGV } from '@clustr-internal/conformance';
import { REL_WORKER } from './rel-cluster.js';

/** One wrong call: what it is, and a word its error message must contain. */
export interface BadCall {
  api: 'spawn' | 'publish' | 'create' | 'killWorker';
  label: string;
  mentions: string;
}

const good = { file: REL_WORKER, args: ['x'], execArgv: [...FIXTURE_EXEC_ARGV] };
const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** Wrong `spawn` arguments: the list, and every spec option with a wrong type or value. */
export const SPAWN_CASES: [label: string, specs: unknown, mentions: string][] = [
  ['specs: null', null, 'spec'],
  ['specs: a string', './worker.js', 'spec'],
  ['specs: an object', good, 'spec'],
  ['spec: a number', [5], 'spec'],
  ['spec: null', [null], 'spec'],
  ['file: missing', [{ args: [] }], 'file'],
  ['file: a number', [{ file: 42 }], 'file'],
  ['file: empty', [{ file: '' }], 'file'],
  ['file: does not exist', [{ file: '/nonexistent/worker.js' }], 'worker.js'],
  ['file: a directory', [{ file: '/tmp' }], 'file'],
  ['cpu: -1', [{ ...good, cpu: -1 }], 'cpu'],
  ['cpu: 1.5', [{ ...good, cpu: 1.5 }], 'cpu'],
  ['cpu: "0"', [{ ...good, cpu: '0' }], 'cpu'],
  ['cpu: 999', [{ ...good, cpu: 999 }], 'cpu'],
  ['command: a number', [{ file: REL_WORKER, command: 7 }], 'command'],
  ['command: not on PATH', [{ file: REL_WORKER, command: 'no-such-program-xyz' }], 'no-such-program-xyz'],
  ['args: a string', [{ ...good, args: '--fast' }], 'args'],
  ['args: [1]', [{ ...good, args: [1] }], 'args'],
  ['env: a string', [{ ...good, env: 'A=1' }], 'env'],
  ['env: {A: 1}', [{ ...good, env: { A: 1 } }], 'env'],
  ['cwd: does not exist', [{ ...good, cwd: '/nonexistent-dir' }], 'cwd'],
  ['cwd: a number', [{ ...good, cwd: 3 }], 'cwd'],
  ['execArgv: a string', [{ ...good, execArgv: '--inspect' }], 'execArgv'],
  ['execArgv with command', [{ file: REL_WORKER, command: 'bash', execArgv: ['--x'] }], 'execArgv'],
  ['restart: "sometimes"', [{ ...good, restart: 'sometimes' }], 'restart'],
  ['restart.policy: 5', [{ ...good, restart: { policy: 5 } }], 'restart.policy'],
  ['restart.initialDelayMs: -1', [{ ...good, restart: { initialDelayMs: -1 } }], 'initialDelayMs'],
  [
    'restart.maxDelayMs below initial',
    [{ ...good, restart: { initialDelayMs: 500, maxDelayMs: 10 } }],
    'maxDelayMs',
  ],
  ['restart.maxRestarts: 1.5', [{ ...good, restart: { maxRestarts: 1.5 } }], 'maxRestarts'],
  ['restart.windowMs: "1m"', [{ ...good, restart: { windowMs: '1m' } }], 'windowMs'],
  ['restart.unknown', [{ ...good, restart: { retries: 3 } }], 'retries'],
  ['stdio: "loud"', [{ ...good, stdio: 'loud' }], 'stdio'],
  ['stopTimeoutMs: -5', [{ ...good, stopTimeoutMs: -5 }], 'stopTimeoutMs'],
  ['readySignal: "soon"', [{ ...good, readySignal: 'soon' }], 'readySignal'],
  ['maxLineBytes: 0', [{ ...good, maxLineBytes: 0 }], 'maxLineBytes'],
  ['unknown option', [{ ...good, retry: true }], 'retry'],
  ['a good spec, then a bad one', [good, { ...good, cpu: -1 }], 'cpu'],
];

/** Wrong `publish` arguments. */
export const PUBLISH_CASES: [label: string, channel: unknown, data: unknown, mentions: string][] = [
  ['channel: undefined', undefined, 1, 'channel'],
  ['channel: empty', '', 1, 'channel'],
  ['channel: a number', 5, 1, 'channel'],
  ['channel: an object', {}, 1, 'channel'],
  ['channel: with a space', 'a b', 1, 'channel'],
  ['channel: a control channel', 'kill:someone', 1, 'channel'],
  ['channel: too long', 'x'.repeat(300), 1, 'channel'],
  ['data: undefined', 'public', undefined, 'undefined'],
  ['data: a BigInt', 'public', 10n, 'data'],
  ['data: a cycle', 'public', cycle, 'data'],
  ['data: a function', 'public', () => 1, 'data'],
  ['data: a symbol', 'public', Symbol('s'), 'data'],
];

/** Wrong `killWorker` arguments. */
export const KILL_CASES: [label: string, workerId: unknown, code: unknown, mentions: string][] = [
  ['workerId: undefined', undefined, 0, 'workerId'],
  ['workerId: empty', '', 0, 'workerId'],
  ['workerId: a number', 5, 0, 'workerId'],
  ['workerId: with a space', 'a b', 0, 'workerId'],
  ['workerId: a control channel', 'kill:x', 0, 'workerId'],
  ['exitCode: -1', 'w-1', -1, 'exit code'],
  ['exitCode: 256', 'w-1', 256, 'exit code'],
  ['exitCode: 1.5', 'w-1', 1.5, 'exit code'],
  ['exitCode: "3"', 'w-1', '3', 'exit code'],
  ['exitCode: NaN', 'w-1', Number.NaN, 'exit code'],
  ['exitCode: null', 'w-1', null, 'exit code'],
];

/** Wrong `Worker.create` / `Master.create` options (transport-independent ones). */
export const CREATE_CASES: [label: string, kind: 'worker' | 'master', options: unknown, mentions: string][] =
  [
    ['Worker.create()', 'worker', undefined, 'group'],
    ['Worker.create(null)', 'worker', null, 'group'],
    ['group: missing', 'worker', {}, 'group'],
    ['group: empty', 'worker', { group: '' }, 'group'],
    ['group: a number', 'worker', { group: 42 }, 'group'],
    ['group: with a space', 'worker', { group: 'a b' }, 'group'],
    ['group: reserved "master"', 'worker', { group: 'master' }, 'reserved'],
    ['group: reserved "public"', 'worker', { group: 'public' }, 'reserved'],
    ['group: too long', 'worker', { group: 'g'.repeat(65) }, 'group'],
    ['workerId: empty', 'worker', { group: 'ok', workerId: '' }, 'workerId'],
    ['workerId: a number', 'worker', { group: 'ok', workerId: 7 }, 'workerId'],
    ['workerId: with a colon', 'worker', { group: 'ok', workerId: 'a:b' }, 'workerId'],
    ['transport: a string', 'worker', { group: 'ok', transport: 'ipc' }, 'transport'],
    ['Master transport: a string', 'master', { transport: 'redis' }, 'transport'],
    ['Master transport: {}', 'master', { transport: {} }, 'transport'],
  ];
