import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { type ChildLink, ClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import { DEFAULT_MAX_BUFFERED_FRAMES } from './defaults.js';
import { LineReader } from './line-reader.js';

const debug = debuglog('clustr');

/** Where a {@link ChildLinkImpl} sends what is not for its `onFrame` handlers. */
export interface ChildLinkHooks {
  /** The child wrote the ready frame (consumed here, never passed to `onFrame`). */
  ready(): void;
  /** User traffic: valid JSON without `"clustr":1`. */
  message(value: unknown): void;
  /** Bad input (also an overflow of the held frames) while no `onBadInput` handler is registered. */
  unhandledBadInput(error: ClustrError): void;
}

function subscribe<T>(set: Set<T>, handler: T): () => void {
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}

/**
 * The parent's end of one run of a child's IPC channel (fd 3): reads it line by line, parses
 * each line once and sorts it into clustr frames, the ready frame, user messages and bad input.
 * A restarted child gets a new link.
 *
 * Frames that arrive while no `onFrame` handler is registered are not lost: the link holds them
 * (at most `maxBufferedFrames`) and hands them, in order and synchronously, to the next handler
 * registered with {@link ChildLinkImpl.onFrame}, before any later frame. So a transport may adopt
 * the link after the child has started writing (e.g. via `handle.link`, once it is loaded).
 * Past the bound, frames are dropped and one `ERR_CLUSTR_QUEUE_FULL` per overflow is reported
 * like bad input (`onBadInput`, else the handle's `'error'`). The buffer is discarded at close.
 */
export class ChildLinkImpl implements ChildLink {
  private closed = false;
  private readonly frameHandlers = new Set<(frame: unknown) => void>();
  private readonly badInputHandlers = new Set<(error: ClustrError) => void>();
  private readonly drainHandlers = new Set<() => void>();
  private readonly closeHandlers = new Set<() => void>();
  /** Frames that arrived while no frame handler was registered, oldest first. */
  private buffered: unknown[] = [];
  /** Frames dropped since the buffer overflowed; reported once, reset when the buffer is handed over. */
  private droppedFrames = 0;

  constructor(
    readonly workerId: string,
    readonly pid: number | undefined,
    private readonly socket: Duplex,
    maxLineBytes: number,
    private readonly hooks: ChildLinkHooks,
    /** Most frames held while no `onFrame` handler is registered. @default DEFAULT_MAX_BUFFERED_FRAMES */
    private readonly maxBufferedFrames: number = DEFAULT_MAX_BUFFERED_FRAMES,
  ) {
    const reader = new LineReader(maxLineBytes, {
      line: (text) => this.onLine(text),
      oversized: (bytes) =>
        this.badInput(
          new ClustrError(
            'ERR_CLUSTR_BAD_FRAME',
            `worker ${workerId} wrote a line of ${bytes} bytes to its IPC fd, more than the limit of ${maxLineBytes} bytes; dropped`,
            { details: { workerId, bytes, maxLineBytes } },
          ),
        ),
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('end', () => reader.end());
    socket.on('drain', () => {
      for (const handler of this.drainHandlers) handler();
    });
    // EPIPE/ECONNRESET when the child is gone: the close that follows says it all.
    socket.on('error', (error) => debug('IPC fd of worker %s: %s', workerId, error.message));
    socket.on('close', () => this.markClosed());
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

  /**
   * Each clustr frame the child writes. The first handler registered while none is receives the
   * frames buffered until then, synchronously (before this call returns) and in order.
   */
  onFrame(handler: (frame: unknown) => void): () => void {
    const unsubscribe = subscribe(this.frameHandlers, handler);
    if (this.frameHandlers.size === 1 && this.buffered.length > 0) this.handOverBuffered();
    return unsubscribe;
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

  /** Closes the parent's end (after the child exited and its last lines were read). */
  destroy(): void {
    this.socket.destroy();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handler of this.closeHandlers) handler();
    this.closeHandlers.clear();
    this.frameHandlers.clear();
    this.drainHandlers.clear();
    this.buffered = [];
  }

  private deliverFrame(frame: unknown): void {
    if (this.frameHandlers.size > 0) {
      for (const handler of this.frameHandlers) handler(frame);
      return;
    }
    if (this.buffered.length < this.maxBufferedFrames) {
      this.buffered.push(frame);
      return;
    }
    // One report per overflow episode: a flood must not become a flood of errors.
    if (this.droppedFrames++ > 0) return;
    this.badInput(
      new ClustrError(
        'ERR_CLUSTR_QUEUE_FULL',
        `worker ${this.workerId} wrote more than ${this.maxBufferedFrames} frames while no onFrame handler was registered; later frames are dropped until one is`,
        { details: { workerId: this.workerId, maxBufferedFrames: this.maxBufferedFrames } },
      ),
    );
  }

  private handOverBuffered(): void {
    const frames = this.buffered;
    this.buffered = [];
    this.droppedFrames = 0;
    for (const frame of frames) {
      // A handler may destroy the link during the hand-over: the rest is discarded, as at close.
      if (this.frameHandlers.size === 0) return;
      for (const handler of this.frameHandlers) handler(frame);
    }
  }

  private onLine(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') return;
      this.badInput(
        new ClustrError(
          'ERR_CLUSTR_BAD_FRAME',
          `worker ${this.workerId} wrote a line that is not JSON to its IPC fd: ${describeValue(text)}; dropped (allowed: one JSON value per line)`,
          { cause: error, details: { workerId: this.workerId } },
        ),
      );
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (record.clustr === 1) {
        if (record.type === 'ready') this.hooks.ready();
        else this.deliverFrame(value);
        return;
      }
      // Node's own internal IPC messages (cluster, handles) are not user traffic.
      if (typeof record.cmd === 'string' && record.cmd.startsWith('NODE_')) return;
    }
    this.hooks.message(value);
  }

  private badInput(error: ClustrError): void {
    if (this.badInputHandlers.size === 0) {
      this.hooks.unhandledBadInput(error);
      return;
    }
    for (const handler of this.badInputHandlers) handler(error);
  }
}
