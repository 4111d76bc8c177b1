import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClustrError, DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import { affinityUnsupportedReason, findExecutable, machineCoreCount } from './cpu-affinity.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_STDIO, DEFAULT_STOP_TIMEOUT_MS, WITHHELD_ENV } from './defaults.js';
import { inheritableExecArgv } from './node-exec-argv.js';
import {
  checkChoice,
  checkCount,
  checkEnv,
  checkMs,
  checkStringArray,
  invalidOption,
  isRecord,
} from './option-checks.js';
import type { NormalizedSpawnSpec, ReadySignal, StdioMode } from './spawn-spec.js';
import { validateRestart } from './validate-restart.js';

/** Options of {@link validateSpawnSpecs}. */
export interface ValidateSpawnSpecsOptions {
  /**
   * The directory relative `file`s resolve against.
   * @default dirname(process.argv[1]) (the main script's directory), else process.cwd()
   */
  baseDir?: string;
}

const SPEC_KEYS = new Set([
  'file',
  'cpu',
  'command',
  'args',
  'env',
  'cwd',
  'execArgv',
  'restart',
  'stdio',
  'stopTimeoutMs',
  'readySignal',
  'maxLineBytes',
]);
const STDIO_MODES: readonly StdioMode[] = ['inherit', 'pipe', 'ignore'];
const READY_SIGNALS: readonly ReadySignal[] = ['spawn', 'frame'];

/** The directory relative files resolve against when the caller names none. */
export function defaultBaseDir(): string {
  const main = process.argv[1];
  return main ? dirname(resolve(main)) : process.cwd();
}

/**
 * Validates a whole list of spawn specs and fills in every default. Throws the first problem as
 * a `ClustrError` (`ERR_CLUSTR_INVALID_OPTION`, `ERR_CLUSTR_INVALID_CPU`,
 * `ERR_CLUSTR_FILE_NOT_FOUND`, `ERR_CLUSTR_AFFINITY_UNSUPPORTED`); starts nothing.
 *
 * @example
 * const specs = validateSpawnSpecs([{ file: './web.js', cpu: 0 }, { file: 'job.sh', command: 'bash' }]);
 */
export function validateSpawnSpecs(
  specs: unknown,
  options: ValidateSpawnSpecsOptions = {},
): NormalizedSpawnSpec[] {
  if (!Array.isArray(specs)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `spawn specs ${describeValue(specs)} are not valid (allowed: an array of specs such as [{ file: './worker.js' }])`,
      { details: { value: specs } },
    );
  }
  const baseDir = options.baseDir ?? defaultBaseDir();
  if (typeof baseDir !== 'string' || !isAbsolute(baseDir)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `baseDir ${describeValue(baseDir)} is not an absolute path`,
      {
        details: { value: baseDir },
      },
    );
  }
  return specs.map((spec, index) => validateSpec(spec, index, baseDir));
}

function validateSpec(spec: unknown, index: number, baseDir: string): NormalizedSpawnSpec {
  if (!isRecord(spec))
    throw invalidOption({ index, name: 'spec' }, spec, "an object such as { file: './worker.js' }");
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.has(key)) {
      throw invalidOption(
        { index, name: key },
        spec[key],
        `no such option; known: ${[...SPEC_KEYS].join(', ')}`,
      );
    }
  }
  const env = checkWithheldEnv(index, checkEnv({ index, name: 'env' }, spec.env));
  const cwd = checkCwd(index, spec.cwd, baseDir);
  const command = checkCommand(index, spec.command, env.PATH ?? process.env.PATH, cwd);
  if (command !== undefined && spec.execArgv !== undefined) {
    throw invalidOption(
      { index, name: 'execArgv' },
      spec.execArgv,
      'execArgv only without command (it holds Node options)',
    );
  }
  const execArgv = command === undefined ? checkExecArgv(index, spec.execArgv) : [];
  return Object.freeze({
    file: checkFile(index, spec.file, baseDir),
    cpu: checkCpu(index, spec.cpu),
    command,
    args: Object.freeze(checkStringArray({ index, name: 'args' }, spec.args)),
    env: Object.freeze(env),
    cwd,
    execArgv: Object.freeze(execArgv),
    restart: validateRestart(index, spec.restart),
    stdio: checkChoice({ index, name: 'stdio' }, spec.stdio, STDIO_MODES, DEFAULT_STDIO),
    stopTimeoutMs: checkMs({ index, name: 'stopTimeoutMs' }, spec.stopTimeoutMs, DEFAULT_STOP_TIMEOUT_MS),
    readySignal: checkChoice(
      { index, name: 'readySignal' },
      spec.readySignal,
      READY_SIGNALS,
      command === undefined ? 'frame' : 'spawn',
    ),
    maxLineBytes: checkMaxLineBytes(index, spec.maxLineBytes),
  });
}

function checkFile(index: number, value: unknown, baseDir: string): string {
  const path = toPath(index, value, baseDir);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw new ClustrError(
      'ERR_CLUSTR_FILE_NOT_FOUND',
      `spawn spec ${index}: file ${describeValue(String(value))} does not exist (looked for ${path})`,
      { cause: error, details: { index, option: 'file', value, path } },
    );
  }
  if (!isFile) {
    throw new ClustrError(
      'ERR_CLUSTR_FILE_NOT_FOUND',
      `spawn spec ${index}: file ${describeValue(String(value))} is not a file (${path})`,
      { details: { index, option: 'file', value, path } },
    );
  }
  return path;
}

function toPath(index: number, value: unknown, baseDir: string): string {
  const allowed = 'a path (relative to the main script directory or absolute) or a file: URL';
  try {
    if (value instanceof URL) return fileURLToPath(value);
    if (typeof value === 'string' && value !== '' && !value.includes('\0')) {
      return value.startsWith('file:') ? fileURLToPath(value) : resolve(baseDir, value);
    }
  } catch (error) {
    throw Object.assign(invalidOption({ index, name: 'file' }, String(value), allowed), { cause: error });
  }
  throw invalidOption({ index, name: 'file' }, value, allowed);
}

/** Refuses `CLUSTR_SECRET` in a spec's env, without echoing its value (a secret) in the error. */
function checkWithheldEnv(index: number, env: Record<string, string>): Record<string, string> {
  for (const name of WITHHELD_ENV) {
    if (!Object.hasOwn(env, name)) continue;
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_OPTION',
      `spawn spec ${index}: env.${name} is not allowed: a child never receives ${name} in its environment (it reaches the cluster through its parent's handshake)`,
      { details: { index, option: `env.${name}` } },
    );
  }
  return env;
}

function checkCpu(index: number, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const cores = machineCoreCount();
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= cores) {
    const range = cores === 1 ? 'core 0' : `cores 0-${cores - 1}`;
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_CPU',
      `spawn spec ${index}: cpu ${describeValue(value)} is not a core of this machine (${range})`,
      { details: { index, option: 'cpu', value, cores } },
    );
  }
  const unsupported = affinityUnsupportedReason();
  if (unsupported !== undefined) {
    throw new ClustrError(
      'ERR_CLUSTR_AFFINITY_UNSUPPORTED',
      `spawn spec ${index}: cpu ${value} cannot be pinned: ${unsupported}; leave cpu out to run unpinned`,
      { details: { index, option: 'cpu', value } },
    );
  }
  return value;
}

function checkCommand(index: number, value: unknown, pathEnv: string | undefined, cwd: string | undefined) {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.includes('\0')) {
    throw invalidOption({ index, name: 'command' }, value, "a program name on PATH or a path, e.g. 'bash'");
  }
  if (findExecutable(value, pathEnv, cwd ?? process.cwd()) === undefined) {
    throw invalidOption({ index, name: 'command' }, value, 'an executable found on PATH, or the path of one');
  }
  return value;
}

function checkCwd(index: number, value: unknown, baseDir: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') {
    const path = resolve(baseDir, value);
    try {
      if (statSync(path).isDirectory()) return path;
    } catch {
      // reported below
    }
  }
  throw invalidOption({ index, name: 'cwd' }, value, 'an existing directory');
}

function checkExecArgv(index: number, value: unknown): string[] {
  if (value === undefined) return inheritableExecArgv();
  return checkStringArray({ index, name: 'execArgv' }, value);
}

function checkMaxLineBytes(index: number, value: unknown): number {
  const bytes = checkCount({ index, name: 'maxLineBytes' }, value, DEFAULT_MAX_LINE_BYTES, 1);
  if (bytes > DEFAULT_MAX_FRAME_BYTES * 64) {
    throw invalidOption(
      { index, name: 'maxLineBytes' },
      value,
      `an integer from 1 to ${DEFAULT_MAX_FRAME_BYTES * 64}`,
    );
  }
  return bytes;
}
