import { encodeDataFrame, encodeRunFrame } from '@clustr/protocol/internal';

/** Most messages one run holds; the next publish starts a new run. */
const MAX_RUN_LENGTH = 10_000;
/**
 * Most characters a run grows to (at most 3× in UTF-8 bytes). A run is one line for its
 * receivers, so it stays far below any line limit a receiver may set (a spawn spec's
 * `maxLineBytes`); a single message may still be as large as `maxFrameBytes` allows.
 */
export const MAX_RUN_CHARS = 64 * 1024;
/** Characters of a data frame line besides its channel, meta and data: `{"clustr":1,"channel":"","meta":,"data":}`. */
export const DATA_FRAME_OVERHEAD = 41;

/**
 * The messages this process publishes one after the other to one channel within one flush: they
 * travel as one line (a run frame, or a data frame when alone), so the receivers parse, validate
 * and route them once. The same run is queued on every link the channel goes to; its line is
 * built once, when the first link writes it, and the run is sealed then.
 */
export class Run {
  readonly data: string[];
  /** Bytes of the line, estimated as its characters (the same for ASCII). */
  bytes: number;
  private line: string | undefined;

  constructor(
    readonly channel: string,
    readonly metaJson: string,
    dataJson: string,
  ) {
    this.data = [dataJson];
    this.bytes = channel.length + metaJson.length + dataJson.length + DATA_FRAME_OVERHEAD;
  }

  /** False once its line was built (it is being written), or when `bytes` more would pass `maxChars`. */
  canGrow(bytes: number, maxChars: number): boolean {
    return this.line === undefined && this.data.length < MAX_RUN_LENGTH && this.bytes + bytes <= maxChars;
  }

  /** Adds the next message; `bytes` its size, as counted by the links' outboxes. */
  append(dataJson: string, bytes: number): void {
    this.data.push(dataJson);
    this.bytes += bytes;
  }

  /** The line of the run, built once. */
  toLine(): string {
    this.line ??=
      this.data.length === 1
        ? encodeDataFrame(this.channel, this.metaJson, this.data[0]!)
        : encodeRunFrame(this.channel, this.metaJson, this.data);
    return this.line;
  }
}
