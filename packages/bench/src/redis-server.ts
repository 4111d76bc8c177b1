import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A `redis-server` this run started; stop it with {@link RedisServer.stop}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Ends the server (SIGTERM, SIGKILL after 3 s) and waits for its exit. Idempotent. */
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not read the free port');
  return address.port;
}

/** Sends one inline PING; resolves true when the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (isUp: boolean) => {
      socket.destroy();
      resolve(isUp);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => finish(chunk.toString('latin1').startsWith('+PONG')));
  });
}

/**
 * Starts `redis-server --port <free port> --save '' --appendonly no` (no disk, loopback) and
 * resolves once it answers PING.
 *
 * @param timeoutMs how long to wait for the first PONG. @default 10000
 */
export async function startRedisServer(timeoutMs = 10_000): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = false;
  // Whatever ends this process (even an uncaught exception), the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exit = once(child, 'exit').then(() => {
    exited = true;
    process.off('exit', killOnExit);
  });
  const spawnError = once(child, 'error').then(([error]) => {
    throw new Error(`cannot start redis-server: ${String(error)}`);
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  };
  const startedAt = Date.now();
  // Readiness is only observable by asking; poll PING with a bounded deadline.
  const waitUp = (async () => {
    while (!(await ping(port))) {
      if (exited) throw new Error(`redis-server on port ${port} exited before answering PING`);
      if (Date.now() - startedAt > timeoutMs)
        throw new Error(`redis-server on port ${port}: no PONG within ${timeoutMs} ms`);
      await sleep(25);
    }
  })();
  try {
    await Promise.race([waitUp, spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop };
}
