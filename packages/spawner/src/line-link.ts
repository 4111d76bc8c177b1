import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { ClustrError, isTaggedFrame, type Link } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import { LineReader } from './line-reader.js';

const debug = debuglog('clustr');

/** Most bytes of frames a link holds while no `onFrame` handler is registered (next to the count bound). */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

type FrameHandler = (frame: unknown, line: string, bytes: number) => void;

/** Where a {@link LineLink} sends what is not for its `onFrame` handlers. */
export interface LineLinkHooks {
  /**
   * A tagged frame the link's owner answers itself (`hello`, `welcome`, `ready`): return true to
   * consume it, false to pass it to the `onFrame` handlers.
   */
  control?(frame: { clustr: 1; type?: unknown }): boolean;
  /** User traffic: valid JSON without `"clustr":1`. */
  message?(value: unknown): void;
  /** Bad input (also an overflow of the held frames) while no `onBadInput` handler is registered. */
  unhandledBadInput(error: ClustrError): void;
}

/** Limits of a {@link LineLink}. */
export interface LineLinkLimits {
  /** Longest line accepted (bytes, without the newline); longer is bad input. */
  readonly maxLineBytes: number;
  /** Most frames held while no `onFrame` handler is registered. */
  readonly maxBufferedFrames: number;
}

function subscribe<T>(set: Set<T>, handler: T): () => void {
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}

/**
 * One end of a clustr link over a socket, the same class on both ends: the parent's end towards
 * a child, and a child's end towards its parent. Reads the peer's lines itself (bounded), parses
 * each line once and hands clustr frames to `onFrame` with their text and size, so that a relay
 * forwards the bytes it validated; writes complete lines.
 *
 * Frames that arrive while no `onFrame` handler is registered are held (at most
 * `maxBufferedFrames`) and handed, in order and synchronously, to the next handler registered.
 * Past the bound they are dropped and one `ERR_CLUSTR_QUEUE_FULL` is reported per overflow.
 */
export class LineLink implements Link {
  private closed = false;
  private readonly frameHandlers = new Set<FrameHandler>();
  private readonly badInputHandlers = new Set<(error: ClustrError) => void>();
  private readonly drainHandlers = new Set<() => void>();
  private readonly closeHandlers = new Set<() => void>();
  private held: [frame: unknown, line: string, bytes: number][] = [];
  private heldBytes = 0;
  private droppedFrames = 0;

  constructor(
    /** Names the peer in error messages, e.g. `worker 3f2c…` or `the parent`. */
    readonly peer: string,
    protected readonly socket: Duplex,
    private readonly limits: LineLinkLimits,
    private readonly hooks: LineLinkHooks,
    /** Bytes already read from `socket` by someone else (the preload), oldest first. */
    pending: readonly Buffer[] = [],
  ) {
    this.read(socket, pending);
    socket.on('drain', () => {
      for (const handler of this.drainHandlers) handler();
    });
    // EPIPE/ECONNRESET when the peer is gone: the close that follows says it all.
    socket.on('error', (error) => debug('link to %s: %s', peer, error.message));
    socket.on('close', () => this.socketClosed());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  write(lines: string): boolean {
    if (this.closed || !this.socket.writable) return false;
    return this.socket.write(lines);
  }

  /** The first handler registered while none is receives the held frames, synchronously and in order. */
  onFrame(handler: FrameHandler): () => void {
    const off = subscribe(this.frameHandlers, handler);
    if (this.frameHandlers.size === 1 && this.held.length > 0) this.handOverHeld();
    return off;
  }

  onBadInput(handler: (error: ClustrError) => void): () => void {
    return subscribe(this.badInputHandlers, handler);
  }

  onDrain(handler: () => void): () => void {
    return subscribe(this.drainHandlers, handler);
  }

  onClose(handler: () => void): () => void {
    if (this.closed) {
      queueMicrotask(handler);
      return () => {};
    }
    return subscribe(this.closeHandlers, handler);
  }

  /** Closes this end. */
  destroy(): void {
    this.socket.destroy();
    this.markClosed();
  }

  /** Reads the lines of `source` into this link (its own socket, or a second channel of the peer). */
  protected read(source: Duplex, chunks: readonly Buffer[] = []): void {
    const reader = new LineReader(this.limits.maxLineBytes, {
      line: (text, bytes) => this.onLine(text, bytes),
      oversized: (bytes) => this.badInput(this.oversized(bytes)),
    });
    for (const chunk of chunks) reader.push(chunk);
    source.on('data', (chunk: Buffer) => reader.push(chunk));
    source.on('end', () => reader.end());
  }

  private oversized(bytes: number): ClustrError {
    const { maxLineBytes } = this.limits;
    return new ClustrError(
      'ERR_CLUSTR_BAD_FRAME',
      `${this.peer} wrote a line of ${bytes} bytes to its link, more than the limit of ${maxLineBytes} bytes; dropped`,
      { details: { peer: this.peer, bytes, maxLineBytes } },
    );
  }

  /** The socket closed: the link is closed (a subclass with a second socket may wait for it too). */
  protected socketClosed(): void {
    this.markClosed();
  }

  protected markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handler of this.closeHandlers) handler();
    this.closeHandlers.clear();
    this.frameHandlers.clear();
    this.drainHandlers.clear();
    this.held = [];
    this.heldBytes = 0;
  }

  private onLine(text: string, bytes: number): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return;
      this.badInput(
        new ClustrError(
          'ERR_CLUSTR_BAD_FRAME',
          `${this.peer} wrote a line that is not JSON to its link: ${describeValue(text)}; dropped (allowed: one JSON value per line)`,
          { cause: error, details: { peer: this.peer } },
        ),
      );
      return;
    }
    if (isTaggedFrame(value)) {
      if (this.hooks.control?.(value) !== true) this.deliver(value, text, bytes);
      return;
    }
    // Node's own internal IPC messages (cluster, handles) are not user traffic.
    const cmd = (value as { cmd?: unknown } | null)?.cmd;
    if (typeof cmd === 'string' && cmd.startsWith('NODE_')) return;
    this.hooks.message?.(value);
  }

  private deliver(frame: unknown, line: string, bytes: number): void {
    // A closed link holds nothing: nobody would ever take it.
    if (this.closed) return;
    if (this.frameHandlers.size > 0) {
      for (const handler of this.frameHandlers) handler(frame, line, bytes);
      return;
    }
    const { maxBufferedFrames } = this.limits;
    if (this.held.length < maxBufferedFrames && this.heldBytes + bytes <= MAX_HELD_BYTES) {
      this.held.push([frame, line, bytes]);
      this.heldBytes += bytes;
      return;
    }
    // One report per overflow episode: a flood must not become a flood of errors.
    if (this.droppedFrames++ > 0) return;
    this.badInput(
      new ClustrError(
        'ERR_CLUSTR_QUEUE_FULL',
        `${this.peer} wrote more than ${maxBufferedFrames} frames or ${MAX_HELD_BYTES} bytes while no onFrame handler was registered; later frames are dropped until one is`,
        { details: { peer: this.peer, maxBufferedFrames, maxHeldBytes: MAX_HELD_BYTES } },
      ),
    );
  }

  private handOverHeld(): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.droppedFrames = 0;
    for (const [frame, line, bytes] of held) {
      // A handler may destroy the link during the hand-over: the rest is discarded, as at close.
      if (this.frameHandlers.size === 0) return;
      for (const handler of this.frameHandlers) handler(frame, line, bytes);
    }
  }

  private badInput(error: ClustrError): void {
    if (this.badInputHandlers.size === 0) {
      this.hooks.unhandledBadInput(error);
      return;
    }
    for (const handler of this.badInputHandlers) handler(error);
  }
}
