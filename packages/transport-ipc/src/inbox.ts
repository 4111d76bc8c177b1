import { ClustrError, type DataFrame, type Frame, type RunFrame, toClustrError } from '@clustr/protocol';
import { encodeControlFrame, ReportThrottle } from '@clustr/protocol/internal';
import type { ChildState } from './child-state.js';
import type { Gatekeeper } from './gatekeeper.js';
import { deferOwnChannels, forgetDeferred, handOver } from './handover.js';
import type { LocalDelivery } from './local-delivery.js';
import type { Outbox } from './outbox.js';
import type { FrameSink, FrameSource } from './receive-frame.js';
import type { RunWriter } from './run-writer.js';
import type { Subscriptions } from './subscriptions.js';

/** What the inbox works with: the router's parts. */
export interface InboxHost {
  readonly subs: Subscriptions<ChildState>;
  readonly gate: Gatekeeper;
  readonly local: LocalDelivery;
  readonly runs: RunWriter;
  /** The queue towards the parent; undefined at the root. */
  readonly up: Outbox | undefined;
  readonly counts: { badFrames: number };
}

/**
 * The receiving side of the IPC router: every valid frame a link read comes here. Data from a
 * child passes the gatekeeper first, then is forwarded as the line that arrived (validated,
 * never re-encoded) and delivered here; control frames change subscriptions and membership.
 */
export class Inbox implements FrameSink {
  /** Bad input is reported once per source per second, with a count. */
  private readonly badReports: ReportThrottle;

  /** `parentSource` tells frames from the parent (trusted) from a child's. */
  constructor(
    private readonly host: InboxHost,
    private readonly parentSource: FrameSource,
  ) {
    this.badReports = new ReportThrottle((error) => host.local.report(error));
  }

  /** A valid frame from a child (`source` is its state) or from the parent. */
  handleFrame(frame: Frame, line: string, bytes: number, source: FrameSource): void {
    // Whatever it changes (routes, the order of a link's queue), the next publish starts a new run.
    this.host.runs.interrupt();
    const child = source === this.parentSource ? undefined : (source as ChildState);
    if (!('type' in frame)) {
      if (child === undefined || this.host.gate.admit(child, frame))
        this.routeData(frame, line, bytes, child);
      return;
    }
    if (child !== undefined) {
      if (this.handleChildControl(child, frame)) return;
    } else if (frame.type === 'ack') {
      this.host.subs.acked(frame.id);
      return;
    }
    this.badFrame(
      source,
      new ClustrError('ERR_CLUSTR_BAD_FRAME', `unexpected "${frame.type}" frame from ${source.label}`),
    );
  }

  /** A control frame from a child; false when it has no business sending it. */
  private handleChildControl(child: ChildState, frame: Exclude<Frame, DataFrame | RunFrame>): boolean {
    switch (frame.type) {
      case 'sub': {
        const allowed = this.host.gate.allowedChannels(child, frame.channels);
        // A refused channel never goes live: the frame is not acked (the child's subscribe fails).
        const id = allowed.length === frame.channels.length ? frame.id : undefined;
        if (allowed.length > 0)
          this.host.subs.childSubscribed(child, deferOwnChannels(child, allowed), id, (ackId) =>
            this.ack(child, ackId),
          );
        return true;
      }
      case 'unsub':
        forgetDeferred(child, frame.channels);
        this.host.subs.childUnsubscribed(child, frame.channels);
        // After the routes changed: nothing more goes to the child on these channels.
        if (frame.id !== undefined) this.ack(child, frame.id);
        handOver(child, frame.channels, this.host.subs);
        return true;
      case 'join':
        this.host.gate.join(child, frame.workerId, frame.group);
        return true;
      case 'leave':
        // What only the members that left could receive is no longer the subtree's.
        this.host.subs.childDropped(child, this.host.gate.leave(child, frame.workerIds));
        return true;
      default:
        return false;
    }
  }

  /** Input from `source` that is not a valid frame: dropped, counted, reported. */
  badFrame(source: FrameSource, error: unknown): void {
    source.counters.badFrames++;
    this.host.counts.badFrames++;
    this.badReports.add(
      source.label,
      toClustrError(error, 'ERR_CLUSTR_BAD_FRAME', `bad frame from ${source.label}`),
    );
  }

  /** Forwards the line as it arrived (validated, never re-encoded) and delivers the parsed frame here. */
  private routeData(
    frame: DataFrame | RunFrame,
    line: string,
    bytes: number,
    from: ChildState | undefined,
  ): void {
    const route = this.host.subs.get(frame.channel);
    const count = 'run' in frame ? frame.run.length : 1;
    if (route !== undefined) {
      const { links } = route;
      for (let i = 0; i < links.length; i++) {
        const link = links[i]!;
        if (link !== from) link.out.push(line, bytes, false, count);
      }
    }
    if (from !== undefined) this.host.up?.push(line, bytes, false, count);
    // Nobody else holds the parsed frame (the links carry its line): its parts are the handlers' own.
    if (route?.isLocal) {
      if (!('run' in frame)) this.host.local.deliver(frame.channel, { meta: frame.meta, data: frame.data });
      else this.host.local.deliverRun(frame);
    }
  }

  private ack(child: ChildState, id: number): void {
    const ack = encodeControlFrame({ clustr: 1, type: 'ack', id });
    child.out.push(ack, ack.length, true);
  }

  /** Sums up the bad input the throttle held back (on close). */
  flush(): void {
    this.badReports.flush();
  }
}
