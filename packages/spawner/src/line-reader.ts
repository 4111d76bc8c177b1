const NEWLINE = 0x0a;

/** What {@link LineReader} reports. */
export interface LineSink {
  /** One complete line, without its newline. */
  line(text: string): void;
  /** A line longer than the limit: dropped (up to its newline). */
  oversized(bytes: number): void;
}

/**
 * Splits a byte stream into newline-terminated lines with a bound on the line length, so a
 * child that never writes a newline cannot grow the parent's memory. Splitting on the byte
 * 0x0A is safe for UTF-8: no multi-byte character contains it.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current oversized line seen so far; -1 while not inside one. */
  private skipped = -1;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  /** Feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    let start = 0;
    for (
      let newline = chunk.indexOf(NEWLINE, start);
      newline !== -1;
      newline = chunk.indexOf(NEWLINE, start)
    ) {
      this.complete(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): void {
    if (this.skipped >= 0) {
      this.sink.oversized(this.skipped);
    } else if (this.pendingBytes > 0) {
      const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
      this.sink.line(text);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.skipped = -1;
  }

  private complete(chunk: Buffer, start: number, end: number): void {
    const bytes = this.pendingBytes + end - start;
    if (this.skipped >= 0) {
      this.sink.oversized(this.skipped + end - start);
      this.skipped = -1;
      return;
    }
    if (bytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.sink.oversized(bytes);
      return;
    }
    let text: string;
    if (this.pendingBytes === 0) {
      text = chunk.toString('utf8', start, end);
    } else {
      this.pending.push(chunk.subarray(start, end));
      text = Buffer.concat(this.pending, bytes).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.sink.line(text);
  }

  private keep(rest: Buffer): void {
    if (this.skipped >= 0) {
      this.skipped += rest.length;
      return;
    }
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.skipped = this.pendingBytes + rest.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(rest);
    this.pendingBytes += rest.length;
  }
}
