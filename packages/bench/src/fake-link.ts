import type { Link } from '@clustr/protocol';

/** What a link hands its transport: a parsed frame, its line and its size. */
export type FrameHandler = (frame: unknown, line: string, bytes: number) => void;

/** A link whose far end is this bench: it hands frames in and reads what the router writes. */
export function fakeLink(written: string[]): Link & { frame: FrameHandler } {
  let handler: FrameHandler = () => undefined;
  const none = (): (() => void) => () => undefined;
  return {
    isClosed: false,
    writableLength: 0,
    write: (lines) => {
      written.push(lines);
      return true;
    },
    onFrame: (h) => {
      handler = h;
      return () => undefined;
    },
    onBadInput: none,
    onDrain: none,
    onClose: none,
    destroy: () => undefined,
    frame: (frame, line, bytes) => handler(frame, line, bytes),
  };
}
