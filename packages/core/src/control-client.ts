import { readdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ClustrError, toClustrError } from '@clustr/protocol';
import { checkControlDir, controlDir, socketPid } from './control-dir.js';
import {
  type ClusterInfo,
  type ControlReply,
  type ControlRequest,
  LineSplitter,
  MAX_REPLY_LENGTH,
  type MembersAnswer,
} from './control-wire.js';
import type { ReloadSummary } from './master-reload.js';

/** How long connecting to a master's socket may take. */
const CONNECT_TIMEOUT_MS = 2_000;
/** How long a master may take to answer one request (its event loop may be busy). */
const ANSWER_TIMEOUT_MS = 5_000;
/** How long a reload may take before the client gives up waiting (the master carries on). */
const RELOAD_ANSWER_TIMEOUT_MS = 60 * 60_000;

type Success = Extract<ControlReply, { ok: true }>;

interface Waiter {
  resolve(reply: Success): void;
  reject(error: ClustrError): void;
}

/** A connection to a master's control socket: requests answered in order. */
export class ControlClient {
  readonly #waiting: Waiter[] = [];
  #failure: ClustrError | undefined;

  private constructor(
    private readonly socket: Socket,
    /** What the errors name, e.g. `master pid 4242`. */
    private readonly label: string,
  ) {
    const lines = new LineSplitter(MAX_REPLY_LENGTH);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const complete = lines.push(chunk);
      if (complete === undefined)
        this.#fail(`${label} sent an answer longer than ${MAX_REPLY_LENGTH} characters`);
      else for (const line of complete) this.#answer(line);
    });
    socket.on('error', (error) => this.#fail(`${label}: ${error.message}`));
    socket.on('close', () => this.#fail(`${label} closed the connection`));
  }

  /**
   * Connects to the socket at `path`.
   * @throws ClustrError `ERR_CLUSTR_TRANSPORT` (its `cause` holds the system error), `ERR_CLUSTR_TIMEOUT`
   */
  static connect(path: string, label: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new ClustrError(
            'ERR_CLUSTR_TIMEOUT',
            `${label} did not accept a connection within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(socket, label));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', `cannot reach ${label}`));
      });
    });
  }

  async info(): Promise<ClusterInfo> {
    const reply = await this.#request({ op: 'info' });
    return (reply as { info: ClusterInfo }).info;
  }

  async members(): Promise<MembersAnswer> {
    const { members, left } = (await this.#request({ op: 'members' })) as Success & MembersAnswer;
    return { members, left };
  }

  async kill(workerId: string, code: number): Promise<void> {
    await this.#request({ op: 'kill', workerId, code });
  }

  /** A rolling reload of the master's workers (of `group`): answered when it is over. */
  async reload(group?: string): Promise<ReloadSummary> {
    const request: ControlRequest = group === undefined ? { op: 'reload' } : { op: 'reload', group };
    const { reload } = (await this.#request(request, RELOAD_ANSWER_TIMEOUT_MS)) as Success & {
      reload: ReloadSummary;
    };
    return reload;
  }

  async publish(channel: string, data: unknown): Promise<void> {
    await this.#request({ op: 'publish', channel, data });
  }

  /** Ends the connection. Idempotent. */
  close(): void {
    this.#fail(`the connection to ${this.label} was closed`);
  }

  #request(request: ControlRequest, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Success> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<Success>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(`${this.label} did not answer within ${timeoutMs} ms`, 'ERR_CLUSTR_TIMEOUT'),
        timeoutMs,
      );
      this.#waiting.push({
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  #answer(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) return;
    let reply: ControlReply;
    try {
      reply = JSON.parse(line) as ControlReply;
    } catch {
      this.#fail(`${this.label} answered something that is not JSON`);
      return;
    }
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(new ClustrError(reply.error.code, reply.error.message));
  }

  #fail(message: string, code: 'ERR_CLUSTR_TRANSPORT' | 'ERR_CLUSTR_TIMEOUT' = 'ERR_CLUSTR_TRANSPORT'): void {
    if (this.#failure !== undefined) return;
    this.#failure = new ClustrError(code, message);
    this.socket.destroy();
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
  }
}

/** A master of this user on this machine, answering on its control socket. */
export interface LocalCluster {
  path: string;
  pid: number;
  info: ClusterInfo;
}

/** A socket whose master is alive but did not answer (busy, or just starting). */
export interface SilentCluster {
  path: string;
  pid: number;
  reason: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every master of this user on this machine, asked for its `info` on its control socket. The
 * socket of a master that died without closing (SIGKILL) refuses connections: it is removed,
 * not listed.
 * @throws ClustrError `ERR_CLUSTR_FORBIDDEN` when the directory is not this user's alone
 */
export async function findLocalClusters(
  dir: string = controlDir(),
): Promise<{ clusters: LocalCluster[]; silent: SilentCluster[] }> {
  const clusters: LocalCluster[] = [];
  const silent: SilentCluster[] = [];
  if ((await checkControlDir(dir)) === 'missing') return { clusters, silent };
  const sockets = (await readdir(dir)).flatMap((name) => {
    const pid = socketPid(name);
    return pid === undefined ? [] : [{ path: join(dir, name), pid }];
  });
  await Promise.all(
    sockets.map(async ({ path, pid }) => {
      const label = `master pid ${pid}`;
      let client: ControlClient | undefined;
      try {
        client = await ControlClient.connect(path, label);
        clusters.push({ path, pid, info: await client.info() });
      } catch (error) {
        const code = ((error as ClustrError).cause as NodeJS.ErrnoException | undefined)?.code;
        // ENOENT: the master closed since the directory was read.
        if (code === 'ENOENT') return;
        if (code === 'ECONNREFUSED' && !isAlive(pid)) await rm(path, { force: true });
        else silent.push({ path, pid, reason: (error as Error).message });
      } finally {
        client?.close();
      }
    }),
  );
  clusters.sort((a, b) => a.pid - b.pid || a.path.localeCompare(b.path));
  return { clusters, silent };
}
