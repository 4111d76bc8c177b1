import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { type ChildLink, ClustrError, describeValue } from '@clustr/protocol';
import { LineReader } from './line-reader.js';

const debug = debuglog('clustr');

/** Where a {@link ChildLinkImpl} sends what is not for its `onFrame` handlers. */
export interface ChildLinkHooks {
  /** The child wrote the ready frame (consumed here, never passed to `onFrame`). */
  ready(): void;
  /** User traffic: valid JSON without `"clustr":1`. */
  message(value: unknown): void;
  /** Bad input while no `onBadInput` handler is registered. */
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
 */
export class ChildLinkImpl implements ChildLink {
  private closed = false;
  private readonly frameHandlers = new Set<(frame: unknown) => void>();
  private readonly badInputHandlers = new Set<(error: ClustrError) => void>();
  private readonly drainHandlers = new Set<() => void>();
  private readonly closeHandlers = new Set<() => void>();

  constructor(
    readonly workerId: string,
    readonly pid: number | undefined,
    private readonly socket: Duplex,
    maxLineBytes: number,
    private readonly hooks: ChildLinkHooks,
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

  onFrame(handler: (frame: unknown) => void): () => void {
    return subscribe(this.frameHandlers, handler);
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
        else for (const handler of this.frameHandlers) handler(value);
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
