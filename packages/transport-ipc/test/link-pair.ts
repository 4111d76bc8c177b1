import type { ChildLink, ClustrError, EncodedMeta, Envelope, Link } from '@clustr/protocol';
import { encodeData, encodeMeta, isTaggedFrame } from '@clustr/protocol';
import { IpcRouter } from '../src/ipc-router.js';
import { type IpcTransportOptions, resolveIpcOptions } from '../src/ipc-transport-options.js';

type Handler<T extends unknown[]> = (...args: T) => void;

/** A list of handlers with the `on…` → remover shape of a {@link Link}. */
export class Handlers<T extends unknown[]> {
  private list: Handler<T>[] = [];
  add(handler: Handler<T>): () => void {
    this.list.push(handler);
    return () => {
      this.list = this.list.filter((h) => h !== handler);
    };
  }
  emit(...args: T): void {
    for (const handler of [...this.list]) handler(...args);
  }
  get size(): number {
    return this.list.length;
  }
}

/** One direction of the pair: what one end writes, the other end reads a turn later. */
class Direction {
  /** Every string written, one entry per `write()` call. */
  readonly writes: string[] = [];
  highWaterMark = Number.POSITIVE_INFINITY;
  isPaused = false;
  private buffered: string[] = [];
  private bufferedChars = 0;
  readonly frames = new Handlers<[unknown, string, number]>();
  readonly badInput = new Handlers<[ClustrError]>();
  readonly drain = new Handlers<[]>();
  /** Untagged lines (user traffic) arriving at the reading end. */
  readonly userMessages: unknown[] = [];

  constructor(private readonly isOpen: () => boolean) {}

  get writableLength(): number {
    return this.bufferedChars;
  }

  write(lines: string): boolean {
    if (!this.isOpen()) return false;
    this.writes.push(lines);
    if (this.isPaused) {
      this.buffered.push(lines);
      this.bufferedChars += lines.length;
      return this.bufferedChars <= this.highWaterMark;
    }
    setImmediate(() => this.deliver(lines));
    return true;
  }

  resume(): void {
    this.isPaused = false;
    const texts = this.buffered;
    this.buffered = [];
    this.bufferedChars = 0;
    for (const text of texts) this.deliver(text);
    this.drain.emit();
  }

  /** The frames written so far, parsed, in order. */
  written(): Record<string, unknown>[] {
    return this.writes.flatMap((text) =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  }

  /** A value arrives at the reading end as the line `JSON.stringify` makes of it. */
  inject(value: unknown): void {
    this.injectLine(JSON.stringify(value));
  }

  /** A line arrives at the reading end, parsed once as a real link does. */
  injectLine(line: string): void {
    const value: unknown = JSON.parse(line);
    if (isTaggedFrame(value)) this.frames.emit(value, line, Buffer.byteLength(line));
    else this.userMessages.push(value);
  }

  private deliver(text: string): void {
    if (!this.isOpen()) return;
    for (const line of text.split('\n')) if (line !== '') this.injectLine(line);
  }
}

function end(
  direction: Direction,
  incoming: Direction,
  pair: { isClosed: boolean; close(): void },
  closed: Handlers<[]>,
): Link {
  return {
    get isClosed() {
      return pair.isClosed;
    },
    get writableLength() {
      return direction.writableLength;
    },
    write: (lines) => direction.write(lines),
    onFrame: (handler) => incoming.frames.add(handler),
    onBadInput: (handler) => incoming.badInput.add(handler),
    onDrain: (handler) => direction.drain.add(handler),
    onClose: (handler) => closed.add(handler),
    destroy: () => pair.close(),
  };
}

/**
 * An in-memory link between a parent's end (a ChildLink) and a child's end (a Link): the same
 * line protocol both ways, each line parsed at the reading end a turn later, as on a real
 * socket. Each direction can be paused to play a slow reader: writes pile up and `write()`
 * returns false past its `highWaterMark`.
 */
export class FakeLinkPair {
  isClosed = false;
  /** Parent → child. */
  readonly down = new Direction(() => !this.isClosed);
  /** Child → parent. */
  readonly up = new Direction(() => !this.isClosed);
  readonly closed = new Handlers<[]>();
  /** The parent's end. */
  readonly link: ChildLink;
  /** The child's end. */
  readonly parentLink: Link;

  constructor(readonly workerId: string) {
    this.link = { ...end(this.down, this.up, this, this.closed), workerId, pid: 4242 };
    Object.defineProperties(this.link, {
      isClosed: { get: () => this.isClosed },
      writableLength: { get: () => this.down.writableLength },
    });
    this.parentLink = end(this.up, this.down, this, this.closed);
  }

  /** Child → parent: a line as if the child wrote it. */
  childWrites(value: unknown): void {
    this.up.inject(value);
  }

  /** Parent → child: a line as if the parent wrote it. */
  parentWrites(value: unknown): void {
    this.down.inject(value);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closed.emit();
  }
}

/** A transport under test, with what it received. */
export interface Node {
  readonly transport: IpcRouter;
  readonly received: { channel: string; envelope: Envelope }[];
  readonly errors: ClustrError[];
  readonly meta: EncodedMeta;
  publish(channel: string, data: unknown): void;
  /** Resolves once `count` messages were received in total. */
  receivedCount(count: number, what: string): Promise<void>;
}

/** Builds a transport (a root, or a child when `parent` is given) that records what reaches it. */
export function createNode(name: string, parent?: Link, options: IpcTransportOptions = {}): Node {
  const transport = new IpcRouter(resolveIpcOptions(options), 'file:///fake/ipc-transport.ts', parent);
  const meta = encodeMeta(name === 'master' ? { group: 'master' } : { workerId: name, group: 'test' });
  const node: Node = {
    transport,
    received: [],
    errors: [],
    meta,
    publish: (channel, data) => transport.publish(channel, meta, encodeData(data)),
    receivedCount: (count, what) =>
      waitUntil(() => node.received.length >= count, `${name} to receive ${what}`),
  };
  transport.onMessage((channel, envelope) => node.received.push({ channel, envelope }));
  transport.onError((error) => node.errors.push(error));
  return node;
}

/**
 * Groups every linked child's subtree holds besides its own `test` group, as if the child had
 * adopted a member of each: the parent lets a subtree subscribe only to its own groups.
 */
export const TEST_GROUPS = ['x', 'y', 'deep', 'gone', 'new', 'old', 'sentinel'];

/**
 * Links `child` below `parent` through a fresh in-memory pair. The child joins as `workerId` of
 * group `test` and announces one member of each of {@link TEST_GROUPS}, as a real child does
 * before it subscribes.
 */
export function link(
  parent: Node,
  workerId: string,
  options: IpcTransportOptions = {},
): { pair: FakeLinkPair; child: Node } {
  const pair = new FakeLinkPair(workerId);
  const child = createNode(workerId, pair.parentLink, options);
  parent.transport.adopt(pair.link);
  void child.transport.connect({ workerId, group: 'test' });
  for (const group of TEST_GROUPS) {
    pair.childWrites({ clustr: 1, type: 'join', workerId: globalThis.crypto.randomUUID(), group });
  }
  return { pair, child };
}

/**
 * Waits until `condition` holds, checking once per event-loop turn; fails after `timeoutMs`
 * naming what was awaited. Not a sleep: it returns the turn the condition becomes true.
 */
export function waitUntil(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setImmediate(check);
    };
    check();
  });
}
