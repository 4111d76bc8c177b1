import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { run } from './process-helpers.js';

/** One `redis-server --cluster-enabled yes` of a {@link RedisCluster}. */
export interface RedisClusterNode {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's pid; `undefined` once killed or stopped. */
  readonly pid: number | undefined;
  /** Runs `redis-cli` against this node (no `-c`: no redirections followed). */
  cli(...args: string[]): Promise<string>;
}

/** A node and the handles only the harness uses. */
export interface ManagedClusterNode extends RedisClusterNode {
  /** Resolves once the node answers PING, rejects (with its log) if it exits or stays silent. */
  ready(timeoutMs: number): Promise<void>;
  /** SIGKILL by its own pid; resolves when it has exited. */
  kill(): Promise<void>;
  /** SIGTERM (then SIGKILL after 5 s) by its own pid; idempotent. */
  stop(): Promise<void>;
}

/** Spawns one cluster node whose `nodes.conf` lives in `dir` (the node's own directory). */
export function spawnClusterNode(port: number, dir: string, args: readonly string[]): ManagedClusterNode {
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--save',
      '',
      '--appendonly',
      'no',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    if (log.length < 20_000) log += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A node must not outlive the process that started it, whatever ends that process.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const cli = (...cliArgs: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cliArgs]);

  async function end(signal: NodeJS.Signals): Promise<void> {
    process.off('exit', killOnExit);
    if (hasExited()) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return hasExited() ? undefined : child.pid;
    },
    cli,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (hasExited()) throw new Error(`redis-server (cluster node ${port}) exited:\n${log}`);
        if ((await cli('PING').catch(() => '')) === 'PONG') return;
        if (Date.now() > deadline)
          throw new Error(
            `redis-server (cluster node ${port}) did not answer PING within ${timeoutMs} ms:\n${log}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
