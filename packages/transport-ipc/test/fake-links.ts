import type { ChildLink, ClustrError, EncodedMeta, Envelope } from '@clustr/protocol';
import { encodeData, encodeMeta } from '@clustr/protocol';
import { IpcRouter } from '../src/ipc-router.js';
import { type IpcTransportOptions, resolveIpcOptions } from '../src/ipc-transport-options.js';
import type { ParentPort } from '../src/parent-port.js';

type Handler<T extends unknown[]> = (...args: T) => void;

class Handlers<T extends unknown[]> {
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

/**
 * An in-memory IPC link between a parent's ChildLink and a child's ParentPort. Lines the parent
 * writes reach the child as parsed messages, objects the child sends reach the parent as
 * parsed frames, both a turn later, as on a real pipe. `pause()` makes the parent's side a
 * slow reader: writes pile up and `write()` returns false past `highWaterMark`.
 */
export class FakeLinkPair {
  readonly link: ChildLink;
  readonly port: ParentPort;
  /** Every string the parent wrote, one entry per `write()` call. */
  readonly writes: string[] = [];
  /** Every message the child sent up, one entry per `send()` call. */
  readonly sends: object[] = [];
  highWaterMark = Number.POSITIVE_INFINITY;
  /** While set, `send()` returns false and its callbacks wait in `heldCallbacks`. */
  isSendFull = false;
  readonly heldCallbacks: (() => void)[] = [];
  isPaused = false;
  isUpPaused = false;
  private buffered: string[] = [];
  private bufferedUp: string[] = [];
  private bufferedChars = 0;
  private isClosed = false;
  readonly frames = new Handlers<[unknown]>();
  readonly badInput = new Handlers<[ClustrError]>();
  readonly drain = new Handlers<[]>();
  readonly closed = new Handlers<[]>();
  readonly messages = new Handlers<[unknown]>();
  readonly disconnected = new Handlers<[]>();

  constructor(readonly workerId: string) {
    const pair = this;
    this.link = {
      workerId,
      pid: 4242,
      get isClosed() {
        return pair.isClosed;
      },
      get writableLength() {
        return pair.bufferedChars;
      },
      write: (lines) => this.write(lines),
      onFrame: (handler) => this.frames.add(handler),
      onBadInput: (handler) => this.badInput.add(handler),
      onDrain: (handler) => this.drain.add(handler),
      onClose: (handler) => this.closed.add(handler),
    };
    this.port = {
      get isConnected() {
        return !pair.isClosed;
      },
      send: (message, done) => {
        this.sends.push(message);
        const text = JSON.stringify(message);
        if (this.isUpPaused) this.bufferedUp.push(text);
        else setImmediate(() => this.deliverUp(text));
        if (this.isSendFull) {
          this.heldCallbacks.push(() => done(null));
          return false;
        }
        setImmediate(done, null);
        return true;
      },
      onMessage: (handler) => this.messages.add(handler),
      onDisconnect: (handler) => this.disconnected.add(handler),
    };
  }

  /** Child → parent: a raw object as if parsed from a line the child wrote. */
  childWrites(value: unknown): void {
    this.frames.emit(value);
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    const lines = this.buffered;
    this.buffered = [];
    this.bufferedChars = 0;
    for (const line of lines) this.deliverDown(line);
    this.drain.emit();
  }

  resumeUp(): void {
    this.isUpPaused = false;
    const texts = this.bufferedUp;
    this.bufferedUp = [];
    for (const text of texts) this.deliverUp(text);
  }

  /** The parent's channel drained: runs the held send callbacks. */
  releaseSends(): void {
    this.isSendFull = false;
    for (const done of this.heldCallbacks.splice(0)) done();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closed.emit();
    this.disconnected.emit();
  }

  private write(lines: string): boolean {
    if (this.isClosed) return false;
    this.writes.push(lines);
    if (this.isPaused) {
      this.buffered.push(lines);
      this.bufferedChars += lines.length;
      return this.bufferedChars <= this.highWaterMark;
    }
    setImmediate(() => this.deliverDown(lines));
    return true;
  }

  private deliverDown(lines: string): void {
    if (this.isClosed) return;
    for (const line of lines.split('\n')) {
      if (line !== '') this.messages.emit(JSON.parse(line));
    }
  }

  private deliverUp(text: string): void {
    if (!this.isClosed) this.frames.emit(JSON.parse(text));
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

/** Builds a transport (a root, or a child when `port` is given) that records what reaches it. */
export function createNode(name: string, port?: ParentPort, options: IpcTransportOptions = {}): Node {
  const transport = new IpcRouter(resolveIpcOptions(options), 'file:///fake/ipc-transport.ts', port);
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

/** Links `child` below `parent` through a fresh in-memory pair. */
export function link(
  parent: Node,
  workerId: string,
  options: IpcTransportOptions = {},
): { pair: FakeLinkPair; child: Node } {
  const pair = new FakeLinkPair(workerId);
  const child = createNode(workerId, pair.port, options);
  parent.transport.adopt(pair.link);
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
