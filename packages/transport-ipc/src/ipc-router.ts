import {
  type ChildLink,
  type ClustrError,
  type EncodedMeta,
  type Envelope,
  isChannelName,
  type Link,
  type TransportDescriptor,
  type TransportSelf,
} from '@clustr/protocol';
import { type ChildState, createChildState } from './child-state.js';
import { FlushScheduler } from './flush-scheduler.js';
import { type GateHost, Gatekeeper, type GuardedLink } from './gatekeeper.js';
import { handOver } from './handover.js';
import { Inbox } from './inbox.js';
import {
  closedError,
  forbiddenError,
  invalidChannelError,
  parentGoneError,
  tooLargeError,
} from './ipc-errors.js';
import { createLinkCounters, type IpcTransportStats } from './ipc-stats.js';
import type { ResolvedIpcOptions } from './ipc-transport-options.js';
import type { IpcTransport } from './ipc-transport-type.js';
import { LinkOutbox } from './link-outbox.js';
import { LocalDelivery } from './local-delivery.js';
import { MAX_CONTROL_OVERSHOOT, type Outbox, type OutboxHost } from './outbox.js';
import { type FrameSource, receiveFrame } from './receive-frame.js';
import { DATA_FRAME_OVERHEAD, MAX_RUN_CHARS } from './run.js';
import { RunWriter } from './run-writer.js';
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
export class IpcRouter implements IpcTransport, OutboxHost, GateHost {
  readonly name = 'ipc';
  readonly maxQueueBytes: number;
  readonly maxBatchBytes: number;
  private readonly subs: Subscriptions<ChildState>;
  private readonly children = new Map<string, ChildState>();
  private readonly parent: ParentSide | undefined = undefined;
  private readonly flusher = new FlushScheduler();
  private readonly local = new LocalDelivery();
  private closing: Promise<void> | undefined;
  /** Builds the runs this process's publishes travel in. */
  private readonly runs: RunWriter;
  private readonly counts = { published: 0, badFrames: 0, dropped: 0 };
  /** Identity rules for frames and subscriptions from children. */
  private readonly gate: Gatekeeper;
  /** Where the frames links receive go. */
  private readonly inbox: Inbox;

  constructor(
    private readonly options: ResolvedIpcOptions,
    private readonly moduleUrl: string,
    parentLink?: Link,
  ) {
    this.maxQueueBytes = options.maxQueueBytes;
    this.maxBatchBytes = options.maxBatchBytes;
    this.runs = new RunWriter(Math.min(MAX_RUN_CHARS, options.maxBatchBytes));
    const parentOut =
      parentLink === undefined
        ? undefined
        : new LinkOutbox(this, 'the parent', parentLink, this.flusher.cache);
    this.subs = new Subscriptions(parentOut, options.ackTimeoutMs);
    this.gate = new Gatekeeper(this, parentOut, options.maxSubscriptionsPerLink);
    const source: FrameSource = {
      counters: parentOut?.counters ?? createLinkCounters(),
      label: 'the parent',
    };
    this.inbox = new Inbox(
      {
        subs: this.subs,
        gate: this.gate,
        local: this.local,
        runs: this.runs,
        up: parentOut,
        counts: this.counts,
      },
      source,
    );
    if (parentLink === undefined || parentOut === undefined) return;
    this.parent = { link: parentLink, out: parentOut, source, detach: [] };
    // Last: registering onFrame hands over the frames the link held, which need all of the above.
    this.parent.detach.push(
      parentLink.onFrame((value, line, bytes) => receiveFrame(value, line, bytes, source, this.inbox)),
      parentLink.onBadInput((error) => this.inbox.badFrame(source, error)),
      parentLink.onDrain(() => parentOut.unblock()),
      parentLink.onClose(() => this.onParentGone()),
    );
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  connect(self: TransportSelf): Promise<void> {
    if (this.isClosed) return Promise.reject(closedError('connect'));
    // The parent adopted the link before it answered the hello: it routes for this process.
    if (this.parent?.link.isClosed) return Promise.reject(parentGoneError());
    // Before any subscription: the parent admits only what this process's subtree may receive.
    this.gate.setSelf(self.workerId, self.group);
    return Promise.resolve();
  }

  subscribe(channel: string): Promise<void> {
    this.runs.interrupt();
    if (this.isClosed) return Promise.reject(closedError('subscribe'));
    if (!isChannelName(channel)) return Promise.reject(invalidChannelError(channel));
    return this.subs.subscribeLocal(channel);
  }

  unsubscribe(channel: string): Promise<void> {
    this.runs.interrupt();
    return this.isClosed ? Promise.resolve() : this.subs.unsubscribeLocal(channel);
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
      this.runs.write(channel, meta, dataJson, size, links, parentOut);
    }
    if (route?.isLocal) this.local.queue(channel, meta.meta, dataJson);
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
    this.runs.interrupt();
    if (this.isClosed) return;
    const previous = this.children.get(link.workerId);
    const state = createChildState(link, this, this.flusher.cache);
    // A new incarnation next to a live one (a reload): both stay linked until the old one leaves.
    if (previous !== undefined && !previous.link.isClosed && previous.successor === undefined) {
      previous.successor = state;
      state.predecessor = previous;
    } else if (previous !== undefined) this.removeChild(previous);
    this.children.set(link.workerId, state);
    this.gate.adopted(state);
    state.detach.push(
      link.onFrame((value, line, bytes) => receiveFrame(value, line, bytes, state, this.inbox)),
      link.onBadInput((error) => this.inbox.badFrame(state, error)),
      link.onDrain(() => state.out.unblock()),
      link.onClose(() => this.removeChild(state)),
    );
    if (link.isClosed) this.removeChild(state);
  }

  stats(): IpcTransportStats {
    const children: IpcTransportStats['children'] = {};
    for (const [workerId, state] of this.children) children[workerId] = state.out.snapshot();
    const stats: IpcTransportStats = {
      children,
      ...this.counts,
      forbidden: this.gate.forbidden,
      delivered: this.local.delivered,
    };
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

  controlOverflow(outbox: Outbox): void {
    for (const child of this.children.values()) {
      if (child.out !== outbox) continue;
      this.report(
        forbiddenError(
          `${child.label} does not read its control frames (over ${MAX_CONTROL_OVERSHOOT} bytes past the queue bound): disconnected`,
        ),
      );
      this.disconnect(child);
      return;
    }
    this.report(forbiddenError('the parent does not read control frames: one was dropped'));
  }

  // ---- GateHost ----

  disconnect(child: GuardedLink): void {
    this.children.get(child.workerId)?.link.destroy();
  }

  private isTooLarge(channel: string, size: number, dataJson: string): boolean {
    const bytes = size - dataJson.length + Buffer.byteLength(dataJson);
    if (bytes <= this.options.maxFrameBytes) return false;
    this.counts.dropped++;
    this.report(tooLargeError(channel, bytes, this.options.maxFrameBytes));
    return true;
  }

  private removeChild(child: ChildState): void {
    this.runs.interrupt();
    if (child.isClosed) return;
    child.isClosed = true;
    for (const off of child.detach) off();
    if (this.children.get(child.workerId) === child) this.children.delete(child.workerId);
    this.counts.dropped += child.out.discard();
    if (this.isClosed) return;
    const held = [...child.counts.keys()];
    this.subs.removeChild(child);
    this.gate.childGone(child, child.successor);
    handOver(child, held, this.subs);
  }

  private onParentGone(): void {
    // The open run was in the parent's queue, which is discarded: nothing may join it any more.
    this.runs.interrupt();
    this.subs.failAll(parentGoneError());
    if (this.parent !== undefined) this.counts.dropped += this.parent.out.discard();
  }

  private async shutdown(): Promise<void> {
    const { parent } = this;
    if (parent !== undefined && !parent.link.isClosed) this.subs.unsubscribeAll();
    this.flusher.flush(true);
    // Blocked links are not in the flush list: close writes past backpressure (still bounded).
    for (const child of this.children.values()) {
      child.out.flush(true);
      child.predecessor?.out.flush(true);
    }
    parent?.out.flush(true);
    this.local.deliverQueued();
    this.subs.failAll(closedError('the subscription'));
    this.gate.flush();
    this.inbox.flush();
    // Listeners go first: nothing arriving from now on is routed.
    for (const off of parent?.detach ?? []) off();
    const children = [...this.children.values()].flatMap((child) =>
      child.predecessor === undefined ? [child] : [child, child.predecessor],
    );
    const links: Link[] = children.map((child) => child.link);
    if (parent !== undefined) links.push(parent.link);
    for (const child of children) {
      child.isClosed = true;
      for (const off of child.detach) off();
    }
    this.children.clear();
    await settleWrites(links, this.options.closeTimeoutMs);
  }
}
