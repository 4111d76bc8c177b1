import { encodeDataFrame, encodeRunFrame } from '@clustr/protocol/internal';

/** Most messages one run holds; the next publish starts a new run. */
const MAX_RUN_LENGTH = 10_000;

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
    this.bytes = channel.length + metaJson.length + dataJson.length + 40;
  }

  /** False once its line was built (it is being written), or when it is full. */
  canGrow(bytes: number, maxBytes: number): boolean {
    return this.line === undefined && this.data.length < MAX_RUN_LENGTH && this.bytes + bytes <= maxBytes;
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
