import { PassThrough } from 'node:stream';
import type { ClustrError } from '@clustr/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChildLinkImpl } from './child-link.js';
import { DEFAULT_MAX_BUFFERED_FRAMES } from './defaults.js';

function link(maxLineBytes = 1024, { listen = true, maxBufferedFrames = DEFAULT_MAX_BUFFERED_FRAMES } = {}) {
  const socket = new PassThrough();
  const channel = new PassThrough();
  const seen = {
    ready: 0,
    hello: 0,
    messages: [] as unknown[],
    frames: [] as unknown[],
    lines: [] as [string, number][],
    bad: [] as ClustrError[],
  };
  const child = new ChildLinkImpl(
    'w1',
    123,
    socket,
    channel,
    { maxLineBytes, maxBufferedFrames },
    {
      control: (frame) => {
        if (frame.type === 'ready') seen.ready++;
        else if (frame.type === 'hello') seen.hello++;
        else return false;
        return true;
      },
      message: (value) => seen.messages.push(value),
      unhandledBadInput: (error) => seen.bad.push(error),
    },
  );
  if (listen) {
    child.onFrame((frame, line, bytes) => {
      seen.frames.push(frame);
      seen.lines.push([line, bytes]);
    });
  }
  return { socket, channel, child, seen };
}

function frameLines(from: number, to: number): Buffer {
  let text = '';
  for (let n = from; n < to; n++) text += `{"clustr":1,"channel":"public","data":${n}}\n`;
  return Buffer.from(text);
}

const dataOf = (frames: unknown[]) => frames.map((frame) => (frame as { data: number }).data);

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

  it('hands each frame with the very line it came from and its size in bytes', () => {
    const { socket, seen } = link();
    const line = '{"clustr":1,"channel":"public","meta":{"group":"g"},"data":"é"}';
    socket.emit('data', Buffer.from(`${line}\n{"clustr":1,"type":"hello"}\n`));
    expect(seen.lines).toEqual([[line, Buffer.byteLength(line)]]);
    expect(seen.hello).toBe(1);
  });

  it("reads the IPC channel too: a bash child's frames reach onFrame, user lines the message hook", () => {
    const { channel, seen } = link();
    channel.emit(
      'data',
      Buffer.from('{"clustr":1,"channel":"master","meta":{"group":"bash"},"data":1}\n{"u":2}\n'),
    );
    expect(seen.frames).toEqual([{ clustr: 1, channel: 'master', meta: { group: 'bash' }, data: 1 }]);
    expect(seen.messages).toEqual([{ u: 2 }]);
  });

  it('sends user lines on the IPC channel and frames on the link', () => {
    const { socket, channel, child } = link();
    const onLink: string[] = [];
    const onChannel: string[] = [];
    socket.on('data', (chunk: Buffer) => onLink.push(chunk.toString()));
    channel.on('data', (chunk: Buffer) => onChannel.push(chunk.toString()));
    expect(child.write('{"clustr":1,"type":"ack","id":1}\n')).toBe(true);
    expect(child.sendUserLine('{"user":1}\n')).toBe(true);
    expect(onLink).toEqual(['{"clustr":1,"type":"ack","id":1}\n']);
    expect(onChannel).toEqual(['{"user":1}\n']);
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

  it('holds frames written before the first onFrame and hands them over in order, synchronously', () => {
    const { socket, child, seen } = link(1024, { listen: false });
    socket.emit('data', frameLines(0, 3));
    socket.emit('data', Buffer.from('{"clustr":1,"type":"ready"}\n{"user":1}\n'));
    expect(seen.ready).toBe(1); // the ready frame and user traffic are not held back
    expect(seen.messages).toEqual([{ user: 1 }]);
    const received: unknown[] = [];
    child.onFrame((frame) => received.push(frame));
    expect(dataOf(received)).toEqual([0, 1, 2]); // before onFrame returned
    socket.emit('data', frameLines(3, 5));
    expect(dataOf(received)).toEqual([0, 1, 2, 3, 4]);
    // a second handler gets only what arrives after it; the first was already served
    const second: unknown[] = [];
    child.onFrame((frame) => second.push(frame));
    socket.emit('data', frameLines(5, 6));
    expect(dataOf(second)).toEqual([5]);
    expect(dataOf(received)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.bad).toEqual([]);
  });

  it('holds frames again while every handler is gone; a link destroyed mid-hand-over drops the rest', () => {
    const { socket, child } = link(1024, { listen: false });
    const first: unknown[] = [];
    const off = child.onFrame((frame) => first.push(frame));
    off();
    socket.emit('data', frameLines(0, 4));
    expect(first).toEqual([]);
    const destroying: unknown[] = [];
    child.onFrame((frame) => {
      destroying.push(frame);
      if (destroying.length === 2) child.destroy();
    });
    expect(dataOf(destroying)).toEqual([0, 1]);
    const next: unknown[] = [];
    child.onFrame((frame) => next.push(frame));
    expect(next).toEqual([]);
  });

  it('bounds the held frames: drops past the bound and reports one ERR_CLUSTR_QUEUE_FULL per overflow', () => {
    const { socket, child, seen } = link(1024, { listen: false, maxBufferedFrames: 3 });
    socket.emit('data', frameLines(0, 6));
    expect(seen.bad.map((error) => error.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    expect(seen.bad[0]?.message).toContain('more than 3 frames');
    expect(seen.bad[0]?.details).toMatchObject({ peer: 'worker w1', maxBufferedFrames: 3 });
    const received: unknown[] = [];
    const off = child.onFrame((frame) => received.push(frame));
    expect(dataOf(received)).toEqual([0, 1, 2]);
    // a new overflow after the hand-over is a new episode: reported again, to onBadInput now
    off();
    const bad: ClustrError[] = [];
    child.onBadInput((error) => bad.push(error));
    socket.emit('data', frameLines(6, 11));
    expect(bad.map((error) => error.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    expect(seen.bad).toHaveLength(1);
    const later: unknown[] = [];
    child.onFrame((frame) => later.push(frame));
    expect(dataOf(later)).toEqual([6, 7, 8]);
  });

  it(`holds at most DEFAULT_MAX_BUFFERED_FRAMES (${DEFAULT_MAX_BUFFERED_FRAMES}) frames by default`, () => {
    expect(DEFAULT_MAX_BUFFERED_FRAMES).toBe(10_000);
    const { socket, child, seen } = link(1024, { listen: false });
    socket.emit('data', frameLines(0, DEFAULT_MAX_BUFFERED_FRAMES + 5));
    expect(seen.bad.map((error) => error.code)).toEqual(['ERR_CLUSTR_QUEUE_FULL']);
    const received: unknown[] = [];
    child.onFrame((frame) => received.push(frame));
    expect(received).toHaveLength(DEFAULT_MAX_BUFFERED_FRAMES);
    expect(dataOf(received).at(-1)).toBe(DEFAULT_MAX_BUFFERED_FRAMES - 1);
  });

  it('discards held frames at close', () => {
    const { socket, child } = link(1024, { listen: false });
    socket.emit('data', frameLines(0, 2));
    child.destroy();
    const received: unknown[] = [];
    child.onFrame((frame) => received.push(frame));
    expect(received).toEqual([]);
  });
});
