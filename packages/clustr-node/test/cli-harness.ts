// Runs the built `clustr` command and the fixture cluster (test/cli-fixtures/cluster.mjs) as
// real processes, as a user would; every wait is bounded and says what it waited for.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The command as installed: the built bin. */
export const CLI = join(here, '..', 'dist', 'cli.js');
const CLUSTER = join(here, 'cli-fixtures', 'cluster.mjs');

/** What a run of the command did. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `clustr …args` with `env` added to this process's; resolves when it exits. */
export function clustr(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A line the fixture cluster printed. */
export interface ClusterEvent {
  event: string;
  [key: string]: unknown;
}

/** The fixture cluster in a child process: its master prints events, "stop" closes it. */
export class FixtureCluster implements AsyncDisposable {
  readonly events: ClusterEvent[] = [];
  #stderr = '';
  readonly #waiters = new Set<() => void>();
  /** The master's pid and the member ids of its tree, from its `ready` event. */
  pid = 0;
  members: string[] = [];

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as ClusterEvent);
      for (const wake of this.#waiters) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    child.on('exit', () => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** Starts the cluster with `env` and waits until every member of its tree is ready. */
  static async start(env: NodeJS.ProcessEnv): Promise<FixtureCluster> {
    const child = spawn(process.execPath, [CLUSTER], {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const cluster = new FixtureCluster(child);
    const ready = await cluster.waitFor(
      (event) => event.event === 'ready',
      'the fixture cluster to be ready',
      30_000,
    );
    cluster.pid = ready.pid as number;
    cluster.members = ready.members as string[];
    return cluster;
  }

  /** The first event (already printed or to come) that `test` accepts. */
  waitFor(test: (event: ClusterEvent) => boolean, what: string, timeoutMs = 15_000): Promise<ClusterEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(test);
        if (found !== undefined) finish(() => resolve(found));
        else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(() =>
            reject(new Error(`the fixture cluster exited while waiting for ${what}:\n${this.#stderr}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.#stderr}`)),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Closes the cluster (its master closes, stopping its workers); kills it if it hangs. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.write('stop\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
