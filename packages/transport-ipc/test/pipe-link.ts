import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { type ChildLink, ClustrError, DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';

/**
 * A minimal ChildLink over a child's fd-3 pipe, as the spawner builds it: lines are read and
 * parsed here (never by Node's IPC parser), clustr frames go to `onFrame`, other JSON to
 * `userMessages`, garbage to `onBadInput`.
 */
export function createPipeLink(
  child: ChildProcess,
  workerId: string,
): ChildLink & { userMessages: unknown[] } {
  const socket = child.stdio[3] as Socket;
  const frameHandlers = new Set<(frame: unknown) => void>();
  const badHandlers = new Set<(error: ClustrError) => void>();
  const userMessages: unknown[] = [];
  let isClosed = false;
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('close', () => {
    isClosed = true;
  });
  socket.on('error', () => {
    isClosed = true;
  });

  const onLine = (line: string): void => {
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const bad = new ClustrError('ERR_CLUSTR_BAD_FRAME', `child ${workerId} wrote a line that is not JSON`, {
        cause: error,
      });
      for (const handler of badHandlers) handler(bad);
      return;
    }
    if (typeof value === 'object' && value !== null && (value as { clustr?: unknown }).clustr === 1) {
      for (const handler of frameHandlers) handler(value);
    } else {
      userMessages.push(value);
    }
  };

  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > DEFAULT_MAX_FRAME_BYTES) pending = '';
  });

  const subscribe =
    <T>(set: Set<T>) =>
    (handler: T): (() => void) => {
      set.add(handler);
      return () => set.delete(handler);
    };
  const onSocket =
    (event: 'drain' | 'close') =>
    (handler: () => void): (() => void) => {
      socket.on(event, handler);
      return () => socket.off(event, handler);
    };

  return {
    workerId,
    userMessages,
    get pid() {
      return child.pid;
    },
    get isClosed() {
      return isClosed;
    },
    get writableLength() {
      return socket.writableLength;
    },
    write: (lines) => (isClosed ? false : socket.write(lines)),
    onFrame: subscribe(frameHandlers),
    onBadInput: subscribe(badHandlers),
    onDrain: onSocket('drain'),
    onClose: onSocket('close'),
  };
}
