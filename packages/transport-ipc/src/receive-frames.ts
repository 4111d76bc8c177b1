import { type Frame, validateFrame } from '@clustr/protocol';
import { type BatchFrame, MAX_BATCH_FRAMES } from '@clustr/protocol/internal';
import type { LinkCounters } from './ipc-stats.js';

/** A frame that travels inside a batch (anything but a batch). */
export type SingleFrame = Exclude<Frame, BatchFrame>;

/** Where frames come from: a child link or the parent channel. */
export interface FrameSource {
  readonly counters: LinkCounters;
  /** Names the peer in error messages, e.g. `child 3f2c…` or `the parent`. */
  readonly label: string;
}

/** What receives the frames once validated. */
export interface FrameSink {
  handleFrame(frame: SingleFrame, source: FrameSource): void;
  badFrame(source: FrameSource, error: unknown): void;
}

/**
 * Validates a message from a peer and hands each frame it holds to `sink`. Never throws: bad
 * input goes to `sink.badFrame`. A batch with some bad frames still delivers its good ones.
 */
export function receiveFrames(value: unknown, source: FrameSource, sink: FrameSink): void {
  let frame: Frame;
  try {
    frame = validateFrame(value);
  } catch (error) {
    salvageBatch(value, source, sink, error);
    return;
  }
  if ('type' in frame && frame.type === 'batch') {
    const { frames } = frame;
    source.counters.framesReceived += frames.length;
    for (let i = 0; i < frames.length; i++) sink.handleFrame(frames[i]!, source);
    return;
  }
  source.counters.framesReceived++;
  sink.handleFrame(frame as SingleFrame, source);
}

function salvageBatch(value: unknown, source: FrameSource, sink: FrameSink, error: unknown): void {
  const frames = batchFrames(value);
  if (frames === undefined) {
    sink.badFrame(source, error);
    return;
  }
  for (const inner of frames) {
    let frame: SingleFrame;
    try {
      frame = validateFrame(inner, true) as SingleFrame;
    } catch (innerError) {
      sink.badFrame(source, innerError);
      continue;
    }
    source.counters.framesReceived++;
    sink.handleFrame(frame, source);
  }
}

function batchFrames(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { clustr, type, frames } = value as { clustr?: unknown; type?: unknown; frames?: unknown };
  if (clustr !== 1 || type !== 'batch' || !Array.isArray(frames) || frames.length > MAX_BATCH_FRAMES) {
    return undefined;
  }
  return frames;
}
