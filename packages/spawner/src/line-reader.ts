const NEWLINE = 0x0a;

/** What {@link LineReader} reports. */
export interface LineSink {
  /** One complete line, without its newline, and its size in bytes. */
  line(text: string, bytes: number): void;
  /** A line longer than the limit: dropped (up to its newline). */
  oversized(bytes: number): void;
}

/**
 * Splits a byte stream into newline-terminated lines with a bound on the line length, so a
 * peer that never writes a newline cannot grow the reader's memory. Splitting on the byte 0x0A
 * is safe for UTF-8: no multi-byte character contains it. The complete lines of a chunk are
 * decoded with one `toString` and cut as text: no buffer or decode per line.
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
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.keep(chunk);
      return;
    }
    let start = 0;
    if (this.pendingBytes > 0 || this.skipped >= 0) {
      const first = chunk.indexOf(NEWLINE);
      this.complete(chunk, 0, first);
      start = first + 1;
    }
    if (start < last) this.completeRun(chunk, start, last);
    else if (start === last) this.sink.line('', 0);
    if (last + 1 < chunk.length) this.keep(chunk.subarray(last + 1));
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): void {
    if (this.skipped >= 0) {
      this.sink.oversized(this.skipped);
    } else if (this.pendingBytes > 0) {
      const text = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
      this.sink.line(text, this.pendingBytes);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.skipped = -1;
  }

  /** Lines `[start, end)` of `chunk`, newline-separated, nothing pending before them. */
  private completeRun(chunk: Buffer, start: number, end: number): void {
    const text = chunk.toString('utf8', start, end);
    // Equal lengths alone would also hold for invalid bytes (each decoded as one U+FFFD, 3 bytes
    // when forwarded): the UTF-8 length of the decoded text is what a relay writes.
    const isAscii = text.length === end - start && Buffer.byteLength(text) === text.length;
    const fits = end - start <= this.maxLineBytes;
    let from = 0;
    for (let newline = text.indexOf('\n'); ; newline = text.indexOf('\n', from)) {
      const line = newline === -1 ? text.slice(from) : text.slice(from, newline);
      const bytes = isAscii ? line.length : Buffer.byteLength(line);
      if (fits || bytes <= this.maxLineBytes) this.sink.line(line, bytes);
      else this.sink.oversized(bytes);
      if (newline === -1) return;
      from = newline + 1;
    }
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
    this.pending.push(chunk.subarray(start, end));
    const text = Buffer.concat(this.pending, bytes).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.sink.line(text, bytes);
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
