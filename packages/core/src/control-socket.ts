import { unlinkSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ClustrError, isClustrError, toClustrError } from '@clustr/protocol';
import { controlDir, nextSocketName, prepareControlDir } from './control-dir.js';
import {
  type ClusterInfo,
  CONTROL_PROTOCOL,
  type ControlReply,
  type ControlRequest,
  failure,
  LineSplitter,
  MAX_REQUEST_LENGTH,
  type MembersAnswer,
  readRequest,
} from './control-wire.js';
import type { ReloadSummary } from './master-reload.js';

/** What a control socket serves: the master it belongs to. */
export interface ControlTarget {
  info(): Omit<ClusterInfo, 'protocol'>;
  view(): MembersAnswer;
  killWorker(workerId: string, code: number): void;
  publish(channel: string, data: unknown): void;
  /** A rolling reload; settles when it is over. */
  reload(options: { group?: string }): Promise<ReloadSummary>;
}

/** Clients served at once; more are closed as they connect. */
export const MAX_CONTROL_CONNECTIONS = 32;
/** A client silent this long is disconnected. */
const IDLE_MS = 60_000;
/** Answers a client may leave unread before it is disconnected: it cannot grow the master. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

type State = { kind: 'starting' } | { kind: 'listening'; server: Server; path: string } | { kind: 'closed' };

/** Sockets of this copy's masters, removed when the process exits without closing them. */
const openPaths = new Set<string>();
let isExitHookInstalled = false;
function removeOpenPaths(): void {
  for (const path of openPaths) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

/**
 * A master's control socket: a Unix socket (mode 0600, in a 0700 directory of this user, see
 * `controlDir`) answering JSON-line requests — `info`, `members`, `kill`, `publish`, `reload` — one answer
 * line per request, in order. It never keeps the event loop alive, bounds what a client may send
 * or leave unread, and is removed on `close()` (or at exit; a reader removes a dead master's).
 */
export class ControlSocket {
  #state: State = { kind: 'starting' };
  readonly #connections = new Set<Socket>();
  /** The socket's path once listening; `undefined` when it could not listen or was closed first. */
  readonly listening: Promise<string | undefined>;

  constructor(
    private readonly target: ControlTarget,
    report: (error: ClustrError) => void,
    dir: string = controlDir(),
  ) {
    this.listening = this.#start(dir).catch((error: unknown) => {
      if (this.#state.kind === 'starting') this.#state = { kind: 'closed' };
      report(toClustrError(error, 'ERR_CLUSTR_TRANSPORT', `the control socket in ${dir} could not listen`));
      return undefined;
    });
  }

  /** Stops answering, disconnects the clients and removes the socket file. Idempotent. */
  close(): void {
    const state = this.#state;
    this.#state = { kind: 'closed' };
    for (const socket of this.#connections) socket.destroy();
    if (state.kind !== 'listening') return;
    state.server.close();
    openPaths.delete(state.path);
    try {
      unlinkSync(state.path);
    } catch {
      // Removed by hand, or by a reader that found it dead.
    }
  }

  async #start(dir: string): Promise<string | undefined> {
    await prepareControlDir(dir);
    const path = join(dir, nextSocketName());
    // A file of this name is a dead predecessor's: pid and rank are unique among the living.
    await rm(path, { force: true });
    if (this.#state.kind !== 'starting') return undefined;
    const server = createServer((socket) => this.#accept(socket));
    server.maxConnections = MAX_CONTROL_CONNECTIONS;
    server.unref();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    if (!isExitHookInstalled) process.once('exit', removeOpenPaths);
    isExitHookInstalled = true;
    openPaths.add(path);
    // The directory already shuts others out; the mode says so to anyone who looks.
    await chmod(path, 0o600);
    if (this.#state.kind !== 'starting') {
      // close() came while listening began: it found nothing to close.
      server.close();
      openPaths.delete(path);
      await rm(path, { force: true });
      return undefined;
    }
    this.#state = { kind: 'listening', server, path };
    return path;
  }

  #accept(socket: Socket): void {
    // A client may connect as soon as the socket file exists, before its mode is set and the
    // state says listening: only a closed server turns it away.
    if (this.#state.kind === 'closed') {
      socket.destroy();
      return;
    }
    // A connected client (a `clustr top` left open) must not keep the master alive either.
    socket.unref();
    this.#connections.add(socket);
    socket.on('close', () => this.#connections.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    const lines = new LineSplitter(MAX_REQUEST_LENGTH);
    // Answers go in the order of the requests, also after one that takes its time (a reload),
    // and a client waiting for one is not idle.
    let answered: Promise<void> = Promise.resolve();
    let pending = 0;
    socket.setTimeout(IDLE_MS, () => {
      if (pending === 0) socket.destroy();
    });
    socket.on('data', (chunk: string) => {
      if (socket.writableEnded) return;
      const complete = lines.push(chunk);
      if (complete === undefined) {
        this.#reply(socket, failure(tooLong()));
        socket.end();
        return;
      }
      for (const line of complete) {
        if (line.trim() === '') continue;
        const reply = this.#answer(line);
        pending++;
        answered = answered.then(async () => {
          this.#reply(socket, await reply);
          pending--;
        });
      }
    });
  }

  #answer(line: string): ControlReply | Promise<ControlReply> {
    const request = readRequest(line);
    if (isClustrError(request)) return failure(request);
    const failed = (error: unknown) =>
      failure(toClustrError(error, 'ERR_CLUSTR_BAD_FRAME', `the control request "${request.op}" failed`));
    if (request.op === 'reload') {
      const { group } = request;
      return this.target
        .reload(group === undefined ? {} : { group })
        .then((reload) => ({ ok: true, reload }), failed);
    }
    try {
      return this.#run(request);
    } catch (error) {
      return failed(error);
    }
  }

  #run(request: Exclude<ControlRequest, { op: 'reload' }>): ControlReply {
    switch (request.op) {
      case 'info':
        return { ok: true, info: { protocol: CONTROL_PROTOCOL, ...this.target.info() } };
      case 'members':
        return { ok: true, ...this.target.view() };
      case 'kill':
        this.target.killWorker(request.workerId, request.code);
        return { ok: true };
      case 'publish':
        this.target.publish(request.channel, request.data);
        return { ok: true };
    }
  }

  #reply(socket: Socket, reply: ControlReply): void {
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(`${JSON.stringify(reply)}\n`);
    if (socket.writableLength > MAX_UNREAD_BYTES) socket.destroy();
  }
}

function tooLong(): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_BAD_FRAME',
    `a control request longer than ${MAX_REQUEST_LENGTH} characters: the connection is closed`,
  );
}
