import {
  type ChildLink,
  ClustrError,
  type DataFrame,
  type EncodedMeta,
  type Envelope,
  type Frame,
  isChannelName,
  type TransportDescriptor,
  type TransportSelf,
  toClustrError,
} from '@clustr/protocol';
import { encodeControlFrame, encodeDataFrame, reencodeDataFrame } from '@clustr/protocol/internal';
import { type ChildState, createChildState } from './child-state.js';
import { FlushScheduler } from './flush-scheduler.js';
import { closedError, invalidChannelError, isTagged, parentGoneError, tooLargeError } from './ipc-errors.js';
import type { IpcTransportStats } from './ipc-stats.js';
import type { ResolvedIpcOptions } from './ipc-transport-options.js';
import type { IpcTransport } from './ipc-transport-type.js';
import { LocalDelivery } from './local-delivery.js';
import type { Outbox, OutboxHost } from './outbox.js';
import { ParentOutbox } from './parent-outbox.js';
import type { ParentPort } from './parent-port.js';
import { type FrameSource, receiveFrames } from './receive-frames.js';
import { settleWrites } from './settle-writes.js';
import { Subscriptions } from './subscriptions.js';

/**
 * The IPC transport: routes frames between this process, its parent (when restored in a child)
 * and the children it adopted, by subscription. Create it with `createIpcTransport()`.
 */
export class IpcRouter implements IpcTransport, OutboxHost {
  readonly name = 'ipc';
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  private readonly subs: Subscriptions<ChildState>;
  private readonly children = new Map<string, ChildState>();
  private readonly parentOut: ParentOutbox | undefined;
  private readonly parentSource: FrameSource | undefined;
  private readonly detachParent: (() => void)[] = [];
  private readonly flusher = new FlushScheduler();
  private readonly local = new LocalDelivery();
  private closing: Promise<void> | undefined;
  private readonly counts = { published: 0, badFrames: 0, dropped: 0 };

  constructor(
    private readonly options: ResolvedIpcOptions,
    private readonly moduleUrl: string,
    private readonly parent?: ParentPort,
  ) {
    this.maxQueueBytes = options.maxQueueBytes;
    this.maxBatchBytes = options.maxBatchBytes;
    const out = parent === undefined ? undefined : new ParentOutbox(this, parent);
    this.parentOut = out;
    this.subs = new Subscriptions(out, options.ackTimeoutMs);
    if (parent !== undefined && out !== undefined) {
      const source: FrameSource = { counters: out.counters, label: 'the parent' };
      this.parentSource = source;
      this.detachParent.push(
        parent.onMessage((message) => {
          // Anything without the tag is the user's own IPC traffic: left alone.
          if (isTagged(message)) receiveFrames(message, source, this);
        }),
        parent.onDisconnect(() => this.onParentGone()),
      );
    }
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  connect(_self: TransportSelf): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError('connect'));
    // An empty `sub` is the handshake: its ack proves the parent routes for this process.
    return this.subs.handshake();
  }

  subscribe(channel: string): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError('subscribe'));
    if (!isChannelName(channel)) return Promise.reject(invalidChannelError(channel));
    return this.subs.subscribeLocal(channel);
  }

  unsubscribe(channel: string): Promise<void> {
    if (!this.isClosed) this.subs.unsubscribeLocal(channel);
    return Promise.resolve();
  }

  publish(channel: string, meta: EncodedMeta, dataJson: string): void {
    if (this.isClosed) {
      this.counts.dropped++;
      return;
    }
    this.counts.published++;
    const size = channel.length + meta.json.length + dataJson.length + 40;
    if (size * 3 > this.options.maxFrameBytes && this.isTooLarge(channel, size, dataJson)) return;
    const route = this.subs.get(channel);
    if (route !== undefined) {
      const { links } = route;
      if (links.length > 0) {
        const line = encodeDataFrame(channel, meta.json, dataJson);
        for (let i = 0; i < links.length; i++) links[i]!.out.push(line, line.length);
      }
      if (route.isLocal) {
        this.local.queue(channel, meta.meta, dataJson);
      }
    }
    this.parentOut?.pushPublished(channel, meta, dataJson, size);
  }

  onMessage(handler: (channel: string, envelope: Envelope) => void): () => void {
    return this.local.onMessage(handler);
  }

  onError(handler: (error: ClustrError) => void): () => void {
    return this.local.onError(handler);
  }

  describe(): TransportDescriptor {
    const { parent: _parent, ...options } = this.options;
    return { name: this.name, module: this.moduleUrl, options };
  }

  adopt(link: ChildLink): void {
    if (this.isClosed) return;
    const previous = this.children.get(link.workerId);
    if (previous !== undefined) this.removeChild(previous);
    const state = createChildState(link, this, this.flusher.cache);
    this.children.set(link.workerId, state);
    state.detach.push(
      link.onFrame((frame) => receiveFrames(frame, state, this)),
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
    if (this.parentOut !== undefined) stats.parent = this.parentOut.snapshot();
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

  markDirty(outbox: Outbox<unknown>): void {
    this.flusher.add(outbox);
  }

  report(error: ClustrError): void {
    this.local.report(error);
  }

  countDropped(count: number): void {
    this.counts.dropped += count;
  }

  // ---- receiving (called by receiveFrames) ----

  /** A valid frame from a child (`source` is its state) or from the parent. */
  handleFrame(frame: Exclude<Frame, { type: 'batch' }>, source: FrameSource): void {
    const child = source === this.parentSource ? undefined : (source as ChildState);
    if (!('type' in frame)) {
      this.routeData(frame, child);
      return;
    }
    if (frame.type === 'ready') return;
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

  private ack(child: ChildState, id: number): void {
    const ack = encodeControlFrame({ clustr: 1, type: 'ack', id });
    child.out.push(ack, ack.length, true);
  }

  /** Input from `source` that is not a valid frame: dropped, counted, reported. */
  badFrame(source: FrameSource, error: unknown): void {
    source.counters.badFrames++;
    this.counts.badFrames++;
    this.report(toClustrError(error, 'ERR_CLUSTR_BAD_FRAME', `bad frame from ${source.label}`));
  }

  // ---- routing ----

  private routeData(frame: DataFrame, from: ChildState | undefined): void {
    const { channel } = frame;
    const route = this.subs.get(channel);
    let line: string | undefined;
    if (route !== undefined) {
      const { links } = route;
      for (let i = 0; i < links.length; i++) {
        const link = links[i]!;
        if (link === from) continue;
        line ??= this.reencode(frame, from);
        if (line === undefined) return;
        link.out.push(line, line.length);
      }
    }
    let envelope: Envelope | undefined;
    if (from !== undefined && this.parentOut !== undefined) {
      line ??= this.reencode(frame, from);
      if (line === undefined) return;
      // The validated frame goes up as it is: no new object per relayed message.
      this.parentOut.push(frame, line.length);
      // The frame object waits in the parent's queue: local handlers get their own copy.
      if (route?.isLocal) {
        const copy = JSON.parse(line) as DataFrame;
        envelope = { meta: copy.meta, data: copy.data };
      }
    }
    if (route?.isLocal) this.local.deliver(channel, envelope ?? { meta: frame.meta, data: frame.data });
  }

  private reencode(frame: DataFrame, from: ChildState | undefined): string | undefined {
    try {
      return reencodeDataFrame(frame.channel, frame.meta, frame.data);
    } catch (error) {
      this.badFrame(from ?? this.parentSource!, error);
      return undefined;
    }
  }

  private isTooLarge(channel: string, size: number, dataJson: string): boolean {
    const bytes = size - dataJson.length + Buffer.byteLength(dataJson);
    if (bytes <= this.options.maxFrameBytes) return false;
    this.counts.dropped++;
    this.report(tooLargeError(channel, bytes, this.options.maxFrameBytes));
    return true;
  }

  private removeChild(child: ChildState): void {
    if (child.isClosed) return;
    child.isClosed = true;
    for (const off of child.detach) off();
    if (this.children.get(child.workerId) === child) this.children.delete(child.workerId);
    this.counts.dropped += child.out.discard();
    if (!this.isClosed) this.subs.removeChild(child);
  }

  private onParentGone(): void {
    this.subs.failAll(parentGoneError());
    if (this.parentOut !== undefined) this.counts.dropped += this.parentOut.discard();
  }

  private async shutdown(): Promise<void> {
    if (this.parent?.isConnected) this.subs.unsubscribeAll();
    this.flusher.flush(true);
    // Blocked links are not in the flush list: close writes past backpressure (still bounded).
    for (const child of this.children.values()) child.out.flush(true);
    this.parentOut?.flush(true);
    this.local.deliverQueued();
    this.subs.failAll(closedError('the subscription'));
    // Listeners go first: nothing arriving from now on is routed, and Node unrefs the parent
    // channel once its `message`/`disconnect` listeners are gone.
    for (const off of this.detachParent) off();
    const links = [...this.children.values()].map((child) => child.link);
    for (const child of this.children.values()) {
      child.isClosed = true;
      for (const off of child.detach) off();
    }
    this.children.clear();
    await settleWrites(links, this.parentOut ? [this.parentOut.whenIdle()] : [], this.options.closeTimeoutMs);
  }
}
