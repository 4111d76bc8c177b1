import { type ChildLink, ClustrError } from '@clustr/protocol';

/** A child link driven by the test. */
export interface FakeLink extends ChildLink {
  frame(value: unknown): void;
  bad(code: ClustrError['code']): void;
  close(): void;
  handlerCount(): number;
}

/** An in-memory ChildLink: the process layer is not under test here. */
export function fakeLink(workerId: string): FakeLink {
  const frames = new Set<(frame: unknown) => void>();
  const bads = new Set<(error: ClustrError) => void>();
  const closes = new Set<() => void>();
  let isClosed = false;
  const on =
    <T>(set: Set<T>) =>
    (handler: T) => {
      set.add(handler);
      return () => set.delete(handler);
    };
  return {
    workerId,
    pid: 4242,
    get isClosed() {
      return isClosed;
    },
    writableLength: 0,
    write: () => true,
    onFrame: on(frames),
    onBadInput: on(bads),
    onDrain: () => () => {},
    onClose: on(closes),
    destroy: () => {
      isClosed = true;
      for (const handler of [...closes]) handler();
    },
    frame: (value) => {
      for (const handler of frames) handler(value);
    },
    bad: (code) => {
      for (const handler of bads) handler(new ClustrError(code, 'line is not JSON: "echo oops"'));
    },
    close: () => {
      isClosed = true;
      for (const handler of [...closes]) handler();
    },
    handlerCount: () => frames.size + bads.size + closes.size,
  };
}
