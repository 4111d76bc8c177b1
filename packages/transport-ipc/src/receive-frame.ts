import { type Frame, validateFrame } from '@clustr/protocol';
import type { LinkCounters } from './ipc-stats.js';

/** Where frames come from: a child link or the parent link. */
export interface FrameSource {
  readonly counters: LinkCounters;
  /** Names the peer in error messages, e.g. `child 3f2c…` or `the parent`. */
  readonly label: string;
}

/** What receives the frames once validated. */
export interface FrameSink {
  /** A valid frame, with the line it came from (what a relay forwards) and its size in bytes. */
  handleFrame(frame: Frame, line: string, bytes: number, source: FrameSource): void;
  badFrame(source: FrameSource, error: unknown): void;
}

/**
 * Validates one parsed line from a peer and hands it to `sink`. Never throws: bad input goes to
 * `sink.badFrame`. The line was parsed once by the link; nothing here parses or encodes again.
 */
export function receiveFrame(
  value: unknown,
  line: string,
  bytes: number,
  source: FrameSource,
  sink: FrameSink,
): void {
  let frame: Frame;
  try {
    frame = validateFrame(value);
  } catch (error) {
    sink.badFrame(source, error);
    return;
  }
  source.counters.framesReceived += 'run' in frame ? frame.run.length : 1;
  sink.handleFrame(frame, line, bytes, source);
}
