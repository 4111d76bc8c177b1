import {
  type ChildLink,
  ClustrError,
  type DataFrame,
  type EncodedMeta,
  type Envelope,
  type Frame,
  isChannelName,
  type Link,
  type RunFrame,
  type TransportDescriptor,
  type TransportSelf,
  toClustrError,
} from '@clustr/protocol';
import { encodeControlFrame } from '@clustr/protocol/internal';
import { type ChildState, createChildState } from './child-state.js';
import { FlushScheduler } from './flush-scheduler.js';
import { closedError, invalidChannelError, parentGoneError, tooLargeError } from './ipc-errors.js';
import type { IpcTransportStats } from './ipc-stats.js';
import type { ResolvedIpcOptions } from './ipc-transport-options.js';
import type { IpcTransport } from './ipc-transport-type.js';
import { LinkOutbox } from './link-outbox.js';
import { LocalDelivery } from './local-delivery.js';
import type { Outbox, OutboxHost } from './outbox.js';
import { type FrameSource, receiveFrame } from './receive-frame.js';
import { DATA_FRAME_OVERHEAD, MAX_RUN_CHARS, Run } from './run.js';
import { settleWrites } from './settle-writes.js';
import { Subscriptions } from './subscriptions.js';

/** The parent's side of the router: its link, its outbox and the source its frames come from. */
interface ParentSide {
  readonly link: Link;
  readonly out: LinkOutbox;
  readonly source: FrameSource;
  readonly detach: (() => void)[];
}

/**
 * The IPC transport: routes frames between this process, its parent (when restored in a child)
 * and the children it adopted, by subscription. Every link is the same both ways: frames are
 * lines, encoded once by their publisher, parsed once per hop, and forwarded as the line that
 * arrived. Create it with `createIpcTransport()`.
 */
export class IpcRouter implements IpcTransport, OutboxHost {
  readonly name = 'ipc';
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  /** Most characters a run grows to: a line every receiver takes, and no bigger than a write. */
  private readonly maxRunChars: number;
  private readonly subs: Subscriptions<ChildState>;
  private readonly children = new Map<string, ChildState>();
  private readonly parent: ParentSide | undefined = undefined;
  private readonly flusher = new FlushScheduler();
  private readonly local = new LocalDelivery();
  private closing: Promise<void> | undefined;
  /**
   * The run the next publish may join: the last one, while nothing else happened since (a frame
   * arrived, a subscription changed) and it was not written yet.
   */
  private openRun: Run | undefined;
  private readonly counts = { published: 0, badFrames: 0, dropped: 0 };

  constructor(
    private readonly options: ResolvedIpcOptions,
    private readonly moduleUrl: string,
    parentLink?: Link,
  ) {
    this.maxQueueBytes = options.maxQueueBytes;
    this.maxBatchBytes = options.maxBatchBytes;
    this.maxRunChars = Math.min(MAX_RUN_CHARS, options.maxBatchBytes);
    const parentOut =
      parentLink === undefined
        ? undefined
        : new LinkOutbox(this, 'the parent', parentLink, this.flusher.cache);
    this.subs = new Subscriptions(parentOut, options.ackTimeoutMs);
    if (parentLink === undefined || parentOut === undefined) return;
    const source: FrameSource = { counters: parentOut.counters, label: 'the parent' };
    this.parent = { link: parentLink, out: parentOut, source, detach: [] };
    // Last: registering onFrame hands over the frames the link held, which need all of the above.
    this.parent.detach.push(
      parentLink.onFrame((value, line, bytes) => receiveFrame(value, line, bytes, source, this)),
      parentLink.onBadInput((error) => this.badFrame(source, error)),
      parentLink.onDrain(() => parentOut.unblock()),
      parentLink.onClose(() => this.onParentGone()),
    );
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  connect(_self: TransportSelf): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError('connect'));
    // The parent adopted the link before it answered the hello: it routes for this process.
    if (this.parent?.link.isClosed) return Promise.reject(parentGoneError());
    return Promise.resolve();
  }

  subscribe(channel: string): Promise<void> {
    this.openRun = undefined;
    if (this.isClosed) return Promise.reject(closedError('subscribe'));
    if (!isChannelName(channel)) return Promise.reject(invalidChannelError(channel));
    return this.subs.subscribeLocal(channel);
  }

  unsubscribe(channel: string): Promise<void> {
    this.openRun = undefined;
    if (!this.isClosed) this.subs.unsubscribeLocal(channel);
    return Promise.resolve();
  }

  publish(channel: string, meta: EncodedMeta, dataJson: string): void {
    if (this.isClosed) {
      this.counts.dropped++;
      return;
    }
    this.counts.published++;
    const size = channel.length + meta.json.length + dataJson.length + DATA_FRAME_OVERHEAD;
    if (size * 3 > this.options.maxFrameBytes && this.isTooLarge(channel, size, dataJson)) return;
    const route = this.subs.get(channel);
    const links = route?.links;
    const parentOut = this.parent?.out;
    if ((links !== undefined && links.length > 0) || parentOut !== undefined) {
      if (!this.joinRun(channel, meta, dataJson, links, parentOut)) {
        const run = new Run(channel, meta.json, dataJson);
        let isEverywhere = parentOut === undefined || parentOut.push(run, size);
        if (links !== undefined) {
          for (let i = 0; i < links.length; i++) isEverywhere = links[i]!.out.push(run, size) && isEverywhere;
        }
        // A run some full queue refused is not the last item of every queue: later messages
        // cannot join it.
        this.openRun = isEverywhere ? run : undefined;
      }
    }
    if (route?.isLocal) this.local.queue(channel, meta.meta, dataJson);
  }

  /**
   * Adds a message to the open run when it continues it (same channel and sender, nothing else in
   * between, room in the run and in every queue it waits in): one line for a burst.
   */
  private joinRun(
    channel: string,
    meta: EncodedMeta,
    dataJson: string,
    links: readonly ChildState[] | undefined,
    parentOut: LinkOutbox | undefined,
  ): boolean {
    const run = this.openRun;
    if (run === undefined || run.channel !== channel || run.metaJson !== meta.json) return false;
    // A comma, the data, and on the first join the `]` that turns `"data":d` into `"run":[d,…]`.
    const bytes = dataJson.length + (run.data.length === 1 ? 2 : 1);
    if (!run.canGrow(bytes, this.maxRunChars)) return false;
    const count = links === undefined ? 0 : links.length;
    for (let i = 0; i < count; i++) if (!links![i]!.out.canTake(bytes)) return false;
    if (parentOut !== undefined && !parentOut.canTake(bytes)) return false;
    run.append(dataJson, bytes);
    for (let i = 0; i < count; i++) links![i]!.out.grow(bytes);
    parentOut?.grow(bytes);
    return true;
  }

  onMessage(handler: (channel: string, envelope: Envelope) => void): () => void {
    return this.local.onMessage(handler);
  }

  onError(handler: (error: ClustrError) => void): () => void {
    return this.local.onError(handler);
  }

  describe(): TransportDescriptor {
    return { name: this.name, module: this.moduleUrl, options: { ...this.options } };
  }

  adopt(link: ChildLink): void {
    this.openRun = undefined;
    if (this.isClosed) return;
    const previous = this.children.get(link.workerId);
    if (previous !== undefined) this.removeChild(previous);
    const state = createChildState(link, this, this.flusher.cache);
    this.children.set(link.workerId, state);
    state.detach.push(
      link.onFrame((value, line, bytes) => receiveFrame(value, line, bytes, state, this)),
      link.onBadInput((error) => this.badFrame(state, error)),
      link.onDrain(() => state.out.unblock()),
      link.onClose(() => this.removeChild(state)),
    );
    if (link.isClosed) this.removeChild(state);
  }

  stats(): IpcTransportStats {
    const children: IpcTransportStats['children'] = {};
    for (const [workerId, state] of this.children) children[workerId] = state.out.snapshot();
    const stats: IpcTransportStats = { children, ...this.counts, delivered: this.local.delivered };
    if (this.parent !== undefined) stats.parent = this.parent.out.snapshot();
    return stats;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- OutboxHost ----

  markDirty(outbox: Outbox): void {
    this.flusher.add(outbox);
  }

  report(error: ClustrError): void {
    this.local.report(error);
  }

  countDropped(count: number): void {
    this.counts.dropped += count;
  }

  // ---- receiving (called by receiveFrame) ----

  /** A valid frame from a child (`source` is its state) or from the parent. */
  handleFrame(frame: Frame, line: string, bytes: number, source: FrameSource): void {
    // Whatever it changes (routes, the order of a link's queue), the next publish starts a new run.
    this.openRun = undefined;
    const child = source === this.parent?.source ? undefined : (source as ChildState);
    if (!('type' in frame)) {
      this.routeData(frame, line, bytes, child);
      return;
    }
    if (child !== undefined && frame.type === 'sub') {
      this.subs.childSubscribed(child, frame.channels, frame.id, (id) => this.ack(child, id));
      return;
    }
    if (child !== undefined && frame.type === 'unsub') {
      this.subs.childUnsubscribed(child, frame.channels);
      return;
    }
    if (child === undefined && frame.type === 'ack') {
      this.subs.acked(frame.id);
      return;
    }
    this.badFrame(
      source,
      new ClustrError('ERR_CLUSTR_BAD_FRAME', `unexpected "${frame.type}" frame from ${source.label}`),
    );
  }

  /** Input from `source` that is not a valid frame: dropped, counted, reported. */
  badFrame(source: FrameSource, error: unknown): void {
    source.counters.badFrames++;
    this.counts.badFrames++;
    this.report(toClustrError(error, 'ERR_CLUSTR_BAD_FRAME', `bad frame from ${source.label}`));
  }

  // ---- routing ----

  /** Forwards the line as it arrived (validated, never re-encoded) and delivers the parsed frame here. */
  private routeData(
    frame: DataFrame | RunFrame,
    line: string,
    bytes: number,
    from: ChildState | undefined,
  ): void {
    const route = this.subs.get(frame.channel);
    const count = 'run' in frame ? frame.run.length : 1;
    if (route !== undefined) {
      const { links } = route;
      for (let i = 0; i < links.length; i++) {
        const link = links[i]!;
        if (link !== from) link.out.push(line, bytes, false, count);
      }
    }
    if (from !== undefined) this.parent?.out.push(line, bytes, false, count);
    // Nobody else holds the parsed frame (the links carry its line): its parts are the handlers' own.
    if (route?.isLocal) {
      if (!('run' in frame)) this.local.deliver(frame.channel, { meta: frame.meta, data: frame.data });
      else this.deliverRun(frame);
    }
  }

  /** Each message of a run, in order, each with a meta of its own. */
  private deliverRun(frame: RunFrame): void {
    const { channel, meta, run } = frame;
    const { workerId, group } = meta;
    for (let i = 0; i < run.length; i++) {
      const own = i === 0 ? meta : workerId === undefined ? { group } : { workerId, group };
      this.local.deliver(channel, { meta: own, data: run[i] });
    }
  }

  private ack(child: ChildState, id: number): void {
    const ack = encodeControlFrame({ clustr: 1, type: 'ack', id });
    child.out.push(ack, ack.length, true);
  }

  private isTooLarge(channel: string, size: number, dataJson: string): boolean {
    const bytes = size - dataJson.length + Buffer.byteLength(dataJson);
    if (bytes <= this.options.maxFrameBytes) return false;
    this.counts.dropped++;
    this.report(tooLargeError(channel, bytes, this.options.maxFrameBytes));
    return true;
  }

  private removeChild(child: ChildState): void {
    this.openRun = undefined;
    if (child.isClosed) return;
    child.isClosed = true;
    for (const off of child.detach) off();
    if (this.children.get(child.workerId) === child) this.children.delete(child.workerId);
    this.counts.dropped += child.out.discard();
    if (!this.isClosed) this.subs.removeChild(child);
  }

  private onParentGone(): void {
    // The open run was in the parent's queue, which is discarded: nothing may join it any more.
    this.openRun = undefined;
    this.subs.failAll(parentGoneError());
    if (this.parent !== undefined) this.counts.dropped += this.parent.out.discard();
  }

  private async shutdown(): Promise<void> {
    const { parent } = this;
    if (parent !== undefined && !parent.link.isClosed) this.subs.unsubscribeAll();
    this.flusher.flush(true);
    // Blocked links are not in the flush list: close writes past backpressure (still bounded).
    for (const child of this.children.values()) child.out.flush(true);
    parent?.out.flush(true);
    this.local.deliverQueued();
    this.subs.failAll(closedError('the subscription'));
    // Listeners go first: nothing arriving from now on is routed.
    for (const off of parent?.detach ?? []) off();
    const links: Link[] = [...this.children.values()].map((child) => child.link);
    if (parent !== undefined) links.push(parent.link);
    for (const child of this.children.values()) {
      child.isClosed = true;
      for (const off of child.detach) off();
    }
    this.children.clear();
    await settleWrites(links, this.options.closeTimeoutMs);
  }
}
