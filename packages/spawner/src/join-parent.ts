import { Socket } from 'node:net';
import { ClustrError, reportToHandlers, validateFrame } from '@clustr/protocol';
import { describeValue, encodeControlFrame, isWorkerId, type WelcomeFrame } from '@clustr/protocol/internal';
import {
  CLUSTR_ENV,
  DEFAULT_MAX_BUFFERED_FRAMES,
  DEFAULT_MAX_LINE_BYTES,
  EXIT_BAD_HANDSHAKE,
} from './defaults.js';
import { LineLink } from './line-link.js';

/** What the preload (`watch-parent.cjs`) leaves for this module. */
interface Preloaded {
  readonly socket: Socket;
  readonly chunks: Buffer[];
  readonly onData: (chunk: Buffer) => void;
  /** The `CLUSTR_*` variables, which the preload removed from `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const PRELOADED = Symbol.for('clustr.parentLink');
/** Where the connection is kept: one per process, even with this module loaded twice (ESM and CJS). */
const JOINED = Symbol.for('clustr.joinedParent');
const HELLO = `${encodeControlFrame({ clustr: 1, type: 'hello' })}\n`;
const READY = `${encodeControlFrame({ clustr: 1, type: 'ready' })}\n`;

/** A child's end of the link to its parent: a {@link LineLink} that can hold the process open. */
export class ParentLink extends LineLink {
  #holds = 0;
  readonly #retireListeners = new Set<() => void>();

  /**
   * Keeps the process alive while the link is open (a worker in the cluster, a child waiting for
   * its welcome). Counted: the process is held until every `ref()` has its `unref()`.
   */
  ref(): void {
    if (this.#holds++ === 0) (this.socket as Socket).ref();
  }

  /** Ends one {@link ParentLink.ref}: with none left, the process may end although the link is open. */
  unref(): void {
    if (this.#holds === 0) return;
    if (--this.#holds === 0) (this.socket as Socket).unref();
  }

  /** Tells the parent this process is ready: its handle resolves `ready`. */
  signalReady(): void {
    this.write(READY);
  }

  /**
   * Listens for the parent's `retire` frame: a new incarnation of this process replaces it (a
   * rolling reload). Without a listener the process is sent SIGTERM, as a stop would. Returns the
   * remover.
   */
  onRetire(listener: () => void): () => void {
    this.#retireListeners.add(listener);
    return () => void this.#retireListeners.delete(listener);
  }

  /** The parent's `retire` frame arrived. */
  retired(): void {
    if (this.#retireListeners.size === 0) {
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    for (const listener of [...this.#retireListeners]) listener();
  }
}

/** What a spawned child knows of its parent. */
export interface ParentConnection {
  /** This process's workerId, assigned by its parent (from `CLUSTR_WORKER_ID`). */
  readonly workerId: string;
  /** The parent's workerId, or `master` (from `CLUSTR_PARENT_ID`). */
  readonly parentId: string;
  /** The link to the parent: frames both ways. */
  readonly link: ParentLink;
  /** The parent's answer to the hello: the transport to rebuild. Rejects when the link closes first. */
  readonly welcome: Promise<WelcomeFrame>;
}

function invalid(name: string, value: string, allowed: string): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${name} ${describeValue(value)} is not valid (allowed: ${allowed})`,
    { details: { name, value } },
  );
}

/** A malformed handshake is fatal: the child says why on stderr and exits with a code its parent reports. */
function refuseHandshake(reason: string): never {
  process.stderr.write(
    `clustr: malformed handshake from the parent (${reason}); exiting with ${EXIT_BAD_HANDSHAKE}\n`,
  );
  process.exit(EXIT_BAD_HANDSHAKE);
}

function openSocket(
  fd: number,
  preloaded: Preloaded | undefined,
): { socket: Socket; chunks: readonly Buffer[] } {
  if (preloaded !== undefined) {
    preloaded.socket.off('data', preloaded.onData);
    // Taken once: the buffered chunks hold the welcome, credentials included.
    delete (globalThis as Record<symbol, unknown>)[PRELOADED];
    return { socket: preloaded.socket, chunks: preloaded.chunks };
  }
  // Started by another command than this Node with its preload (e.g. `command: 'tsx'`): the
  // hello and the parent watch are set up here instead.
  let socket: Socket;
  try {
    socket = new Socket({ fd, readable: true, writable: true });
  } catch (error) {
    throw new ClustrError('ERR_CLUSTR_TRANSPORT', `fd ${fd} (${CLUSTR_ENV.linkFd}) is not a clustr link`, {
      cause: error,
    });
  }
  socket.once('close', () => process.nextTick(() => process.exit(process.exitCode ?? 0)));
  socket.write(HELLO);
  socket.unref();
  return { socket, chunks: [] };
}

function connect(
  workerId: string,
  parentId: string,
  fd: number,
  preloaded: Preloaded | undefined,
): ParentConnection {
  const { socket, chunks } = openSocket(fd, preloaded);
  let resolveWelcome!: (frame: WelcomeFrame) => void;
  let rejectWelcome!: (error: ClustrError) => void;
  const welcome = new Promise<WelcomeFrame>((resolve, reject) => {
    resolveWelcome = resolve;
    rejectWelcome = reject;
  });
  let isWelcomed = false;
  const limits = { maxLineBytes: DEFAULT_MAX_LINE_BYTES, maxBufferedFrames: DEFAULT_MAX_BUFFERED_FRAMES };
  const link = new ParentLink(
    'the parent',
    socket,
    limits,
    {
      control(frame) {
        if (isWelcomed) {
          if (frame.type !== 'retire') return false;
          link.retired();
          return true;
        }
        isWelcomed = true;
        let checked: WelcomeFrame;
        try {
          checked = validateFrame(frame) as WelcomeFrame;
        } catch (error) {
          refuseHandshake(error instanceof Error ? error.message : String(error));
        }
        if (checked.type !== 'welcome')
          refuseHandshake(`expected a welcome frame first, got "${String(checked.type)}"`);
        if (checked.workerId !== workerId) {
          refuseHandshake(`welcome for ${checked.workerId}, but ${CLUSTR_ENV.workerId} is ${workerId}`);
        }
        resolveWelcome(checked);
        return true;
      },
      unhandledBadInput: (error) => reportToHandlers([], error),
    },
    chunks,
  );
  link.onClose(() =>
    rejectWelcome(
      new ClustrError('ERR_CLUSTR_TRANSPORT', 'the link to the parent closed before its welcome'),
    ),
  );
  // Waiting for the welcome holds the process open: a child must not end before it knows who it
  // is. Nobody has to await the welcome (a child that never joins the cluster).
  link.ref();
  welcome.then(
    () => link.unref(),
    () => link.unref(),
  );
  return { workerId, parentId, link, welcome };
}

/**
 * Joins the parent that spawned this process, once: reads the `CLUSTR_*` variables (none holds a
 * secret) and removes them from `process.env`, so that processes this child starts by other
 * means do not inherit them, and opens the link on which the hello and the parent's welcome
 * travel. Returns undefined in a process not spawned by clustr.
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_WORKER_ID` / `ERR_CLUSTR_INVALID_OPTION` on malformed variables
 * @example
 * const parent = joinParent();
 * if (parent) console.log(`I am ${parent.workerId}, child of ${parent.parentId}`);
 */
export function joinParent(): ParentConnection | undefined {
  const store = globalThis as Record<symbol, { value: ParentConnection | undefined } | undefined>;
  const cached = store[JOINED];
  if (cached !== undefined) return cached.value;
  const preloaded = (globalThis as Record<symbol, Preloaded | undefined>)[PRELOADED];
  const env = preloaded?.env ?? process.env;
  const workerId = env[CLUSTR_ENV.workerId];
  if (workerId === undefined) {
    store[JOINED] = { value: undefined };
    return undefined;
  }
  if (!isWorkerId(workerId)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_WORKER_ID',
      `${CLUSTR_ENV.workerId} ${describeValue(workerId)} is not a workerId`,
      { details: { value: workerId } },
    );
  }
  const parentId = env[CLUSTR_ENV.parentId] || 'master';
  if (parentId !== 'master' && !isWorkerId(parentId)) {
    throw invalid(CLUSTR_ENV.parentId, parentId, "'master' or a workerId");
  }
  const fdText = env[CLUSTR_ENV.linkFd] ?? '';
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 3)
    throw invalid(CLUSTR_ENV.linkFd, fdText, 'a file descriptor number ≥ 3');
  for (const name of Object.values(CLUSTR_ENV)) delete process.env[name];
  const value = connect(workerId, parentId, fd, preloaded);
  store[JOINED] = { value };
  return value;
}

/**
 * Tells the parent this child is ready: writes `{"clustr":1,"type":"ready"}` on the link. The
 * parent's handle then resolves `ready` and emits `'ready'`. Does nothing in a process not
 * spawned by clustr. `@clustr/core` calls it when a worker is ready; a plain child calls it itself.
 */
export function signalReady(): void {
  joinParent()?.link.signalReady();
}
