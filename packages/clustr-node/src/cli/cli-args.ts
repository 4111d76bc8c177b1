import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

/** Which cluster a command acts on. */
export interface TargetOptions {
  /** A local cluster by its master's pid. */
  pid?: number;
  /** A local cluster by its master's `name`. */
  name?: string;
  /** A Redis URL: the cluster of a namespace there, on every machine. */
  redis?: string;
  namespace?: string;
  secretFile?: string;
}

/** The command line, checked. */
export type CliArgs =
  | { command: 'help' | 'version' }
  | { command: 'ps'; target: TargetOptions; json: boolean }
  | { command: 'top'; target: TargetOptions; count: number | undefined }
  | { command: 'metrics'; target: TargetOptions }
  | { command: 'kill'; target: TargetOptions; who: string; code: number }
  | { command: 'publish'; target: TargetOptions; channel: string; data: unknown }
  | { command: 'reload'; target: TargetOptions; group: string | undefined };

export const HELP = `clustr — see and act on a clustr-node cluster

Usage:
  clustr ps [--json]                     the cluster as a tree, one row per member
  clustr top [-n <count>]                the same, refreshed every second
                                         (keys: c cpu, m memory, r message rate, q quit)
  clustr kill <workerId|prefix|group> [code]
                                         tell a worker, or every worker of a group, to exit
                                         with code (0-255, default 0)
  clustr publish <channel> <json>        publish a message as a member would
  clustr reload [group]                  replace every worker the master spawned (of group) by a
                                         new incarnation, one at a time, never below capacity
                                         (a local cluster only; the same as SIGHUP to the master)
  clustr metrics                         the members' stats in the Prometheus text format

Target (default: the only local cluster of this user; ps lists them when there are several):
  --pid <pid>            the local cluster whose master has this pid
  --name <name>          the local cluster of this name (Master.create({ name }))
  --redis <url>          a Redis namespace: every machine's members
                         (needs @clustr/transport-redis installed)
  --namespace <ns>       with --redis (default: clustr)
  --secret-file <path>   with --redis: the file holding the namespace's secret

Options:
  --json                 ps: the members as JSON, for scripts
  -n, --count <n>        top: stop after n refreshes
  -h, --help             this help
  -v, --version          the version of clustr-node

Exit codes: 0 done; 1 the target is unreachable or refused; 2 a wrong command line.
Local clusters are found by their control sockets, in $XDG_RUNTIME_DIR/clustr when that is set,
else in <os temp dir>/clustr-<uid>.
`;

const OPTIONS = {
  pid: { type: 'string' },
  name: { type: 'string' },
  redis: { type: 'string' },
  namespace: { type: 'string' },
  'secret-file': { type: 'string' },
  json: { type: 'boolean' },
  count: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function positiveInteger(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(text)) throw usageError(`${option} must be a positive integer, not "${text}"`);
  return Number(text);
}

function checkTarget(values: Record<string, string | boolean | undefined>): TargetOptions {
  const target: TargetOptions = {};
  const pid = positiveInteger('--pid', values.pid as string | undefined);
  if (pid !== undefined) target.pid = pid;
  for (const [option, key] of [
    ['name', 'name'],
    ['redis', 'redis'],
    ['namespace', 'namespace'],
    ['secret-file', 'secretFile'],
  ] as const) {
    if (typeof values[option] === 'string') target[key] = values[option];
  }
  const locals = [target.pid, target.name].filter((value) => value !== undefined).length;
  if (locals > 1) throw usageError('give --pid or --name, not both');
  if (locals > 0 && target.redis !== undefined)
    throw usageError('--pid and --name pick a local cluster: not with --redis');
  if (target.redis === undefined && (target.namespace !== undefined || target.secretFile !== undefined)) {
    throw usageError('--namespace and --secret-file go with --redis <url>');
  }
  return target;
}

/**
 * Reads the command line.
 * @throws CliError (exit 2) for anything it cannot run
 */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (command === undefined) throw usageError('which command? ps, top, kill, publish, reload or metrics');
  const target = checkTarget(values);
  const expect = (count: number, form: string) => {
    if (rest.length !== count) throw usageError(`usage: clustr ${form}`);
  };
  switch (command) {
    case 'ps':
      expect(0, 'ps [--json]');
      return { command, target, json: values.json === true };
    case 'top':
      expect(0, 'top [-n <count>]');
      return { command, target, count: positiveInteger('--count', values.count) };
    case 'metrics':
      expect(0, 'metrics');
      return { command, target };
    case 'kill': {
      if (rest.length === 1) rest.push('0');
      expect(2, 'kill <workerId|prefix|group> [code]');
      const [who, code] = rest as [string, string];
      if (!/^\d{1,3}$/.test(code) || Number(code) > 255)
        throw usageError(`the exit code must be 0-255, not "${code}"`);
      return { command, target, who, code: Number(code) };
    }
    case 'reload': {
      if (rest.length > 1) throw usageError('usage: clustr reload [group]');
      if (target.redis !== undefined)
        throw usageError('reload asks a local master (its control socket): not with --redis');
      return { command, target, group: rest[0] };
    }
    case 'publish': {
      expect(2, 'publish <channel> <json>');
      const [channel, json] = rest as [string, string];
      try {
        return { command, target, channel, data: JSON.parse(json) as unknown };
      } catch {
        throw usageError(`the message must be JSON (a string is '"text"'), not ${json}`);
      }
    }
    default:
      throw usageError(`no command "${command}": ps, top, kill, publish, reload or metrics`);
  }
}
