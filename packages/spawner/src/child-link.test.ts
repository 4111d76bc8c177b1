import { PassThrough } from 'node:stream';
import type { ClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChildLinkImpl } from './child-link.js';

function link(maxLineBytes = 1024) {
  const socket = new PassThrough();
  const seen = { ready: 0, messages: [] as unknown[], frames: [] as unknown[], bad: [] as ClustrError[] };
  const child = new ChildLinkImpl('w1', 123, socket, maxLineBytes, {
    ready: () => seen.ready++,
    message: (value) => seen.messages.push(value),
    unhandledBadInput: (error) => seen.bad.push(error),
  });
  child.onFrame((frame) => seen.frames.push(frame));
  return { socket, child, seen };
}

describe('ChildLinkImpl', () => {
  it('sorts lines into frames, the ready frame, user messages, Node internals and bad input', () => {
    const { socket, seen } = link();
    const lines = [
      '{"clustr":1,"channel":"public","meta":{"group":"g"},"data":1}',
      '{"clustr":1,"type":"ready"}',
      '{"user":true}',
      '[1,2]',
      '"text"',
      '{"cmd":"NODE_HANDLE_ACK"}',
      'not json',
      '',
    ];
    socket.emit('data', Buffer.from(`${lines.join('\n')}\n`));
    expect(seen.frames).toEqual([{ clustr: 1, channel: 'public', meta: { group: 'g' }, data: 1 }]);
    expect(seen.ready).toBe(1);
    expect(seen.messages).toEqual([{ user: true }, [1, 2], 'text']);
    expect(seen.bad.map((error) => error.code)).toEqual(['ERR_CLUSTR_BAD_FRAME']);
  });

  it('never throws on arbitrary bytes, and a valid line after them still arrives', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { socket, seen } = link(64);
        socket.emit('data', Buffer.from(bytes));
        socket.emit('data', Buffer.from('\n{"after":"garbage"}\n'));
        expect(seen.messages.at(-1)).toEqual({ after: 'garbage' });
      }),
    );
  });

  it('writes lines, and drops writes after close', () => {
    const { socket, child } = link();
    const written: string[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    expect(child.write('{"a":1}\n')).toBe(true);
    let closed = 0;
    child.onClose(() => closed++);
    child.destroy();
    expect(child.isClosed).toBe(true);
    expect(child.write('{"b":2}\n')).toBe(false);
    expect(closed).toBe(1);
  });
});
