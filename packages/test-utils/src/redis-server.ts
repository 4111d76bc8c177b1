import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, run } from './process-helpers.js';

/** TLS files for a server that also listens with TLS (`rediss://`). */
export interface RedisServerTls {
  /** PEM certificate file of the server. */
  certFile: string;
  /** PEM private key file of the server. */
  keyFile: string;
  /** PEM CA file (for a self-signed certificate: the certificate itself). */
  caFile: string;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `['--requirepass', 'secret']`. @default [] */
  args?: string[];
  /** Password `cli()` and the readiness check authenticate with. @default undefined */
  password?: string;
  /** Serve TLS only (plain port disabled); `url` becomes `rediss://`. @default undefined */
  tls?: RedisServerTls;
  /** How long to wait for the first `PING` answer. @default 10000 */
  readyTimeoutMs?: number;
}

/** A `redis-server` the test started itself, on a free port. */
export interface RedisServer extends AsyncDisposable {
  /** `redis://127.0.0.1:<port>` (or `rediss://` with TLS), without credentials. */
  readonly url: string;
  readonly port: number;
  /** The server's current pid (it changes across `restart()`); `undefined` once stopped. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL); idempotent. */
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port; resolves once `PING` answers. */
  restart(): Promise<void>;
  /** Runs `redis-cli` against the server; resolves with its trimmed stdout. */
  cli(...args: string[]): Promise<string>;
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` and waits until it answers
 * `PING`. Dependency-free so other packages can import it by relative path.
 *
 * @example
 * await using redis = await startRedisServer();
 * await redis.cli('PUBLISH', 'clustr:public', '{"meta":{"group":"ops"},"data":1}');
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const { tls, password } = options;
  const portArgs = tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        tls.certFile,
        '--tls-key-file',
        tls.keyFile,
      ]
    : ['--port', String(port)];
  const tlsArgs = tls ? ['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'] : [];
  const serverArgs = [...portArgs, ...tlsArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  serverArgs.push(...(options.args ?? []));
  const cliBase = ['-h', '127.0.0.1', '-p', String(port)];
  if (tls) cliBase.push('--tls', '--cacert', tls.caFile);
  if (password !== undefined) cliBase.push('-a', password, '--no-auth-warning');
  const cli = (...args: string[]) => run('redis-cli', [...cliBase, ...args]);
  let child: ChildProcess | undefined;
  // A server must not outlive the process that started it, whatever ends that process.
  const killOnExit = () => child?.kill('SIGKILL');

  async function start(): Promise<void> {
    process.off('exit', killOnExit);
    process.on('exit', killOnExit);
    const started = spawn('redis-server', serverArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let log = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    for (;;) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}:\n${log}`);
      const answer = await cli('PING').catch(() => '');
      if (answer === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    process.off('exit', killOnExit);
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    cli,
    [Symbol.asyncDispose]: stop,
  };
}
