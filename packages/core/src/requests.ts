import { ClustrError, type Envelope, encodeData, type Meta } from '@clustr/protocol';
import {
  assertUserChannel,
  describeValue,
  isGroupName,
  ReportThrottle,
  randomId,
  rpcChannel,
} from '@clustr/protocol/internal';
import { Balancer, type BalancerPresence } from './balancer.js';
import type { Member } from './presence-types.js';
import type { RequestOffer } from './process-presence.js';
import { assertTarget } from './request-errors.js';
import {
  type RequestHandler,
  type RequestStats,
  resolveOnRequestOptions,
  resolveRequestOptions,
} from './request-types.js';
import { Requester } from './requester.js';
import { Responder } from './responder.js';
import { assertMethodName } from './rpc-names.js';
import { encodeOne, readRpcMessage } from './rpc-wire.js';

/** What requests need of their process. */
export interface RequestsHost {
  /** Presence: who is alive, what each answers, who leaves. */
  readonly presence: BalancerPresence & {
    onLeave(handler: (member: Member) => void): () => void;
    /** This process's methods changed: its record must say so soon. */
    offerChanged(): void;
  };
  /** Publishes as this process; throws once it has left (or could not join). */
  send(channel: string, dataJson: string): void;
  report(error: ClustrError): void;
  /** Undefined once the process is in the cluster; a promise while it joins; throws once it has left. */
  joined(operation: string): Promise<void> | undefined;
  /** Hands a one-of-group message to the process's group handlers. */
  deliverToGroup(envelope: Envelope): void;
}

/**
 * Requests and one-of-group delivery, as a process runs them. It listens on its own control
 * channel `rpc:<id>` for requests (answered by its {@link Responder}), replies (matched by its
 * {@link Requester}) and one-of-group messages (handed to its group handlers); the member a
 * request or a one-of-group message goes to is chosen by the {@link Balancer} from presence.
 * `ClusterProcess` composes it.
 */
export class Requests {
  /** This process's rpc id: its workerId; a master's `master.<uuid>`, which no member can claim. */
  readonly rpc: string;
  /** The channel it listens on: `rpc:<rpc>`. */
  readonly channel: string;
  readonly #responder: Responder;
  readonly #balancer: Balancer;
  readonly #requester: Requester;
  /** Bad or foreign messages on the rpc channel: reported once per sender per second. */
  readonly #reports: ReportThrottle;
  /** Groups a one-of-group message was dropped for, until one is delivered again. */
  readonly #emptyGroups = new Set<string>();
  #droppedOne = 0;

  constructor(
    workerId: string | undefined,
    private readonly group: string,
    private readonly host: RequestsHost,
  ) {
    this.rpc = workerId ?? `master.${randomId()}`;
    this.channel = rpcChannel(this.rpc);
    const { presence } = host;
    this.#responder = new Responder({
      send: (channel, dataJson) => host.send(channel, dataJson),
      report: (error) => host.report(error),
      changed: () => {
        this.#balancer.invalidate();
        presence.offerChanged();
      },
    });
    // This process answers from its own handlers, not from its last heartbeat.
    this.#balancer = new Balancer(presence, (member, method) =>
      member.id === presence.id ? this.#responder.has(method) : member.methods?.includes(method) === true,
    );
    this.#requester = new Requester({
      balancer: this.#balancer,
      replyTo: this.channel,
      send: (channel, dataJson) => host.send(channel, dataJson),
    });
    this.#reports = new ReportThrottle((error) => host.report(error));
    presence.onLeave((member) => this.#requester.left(member));
  }

  /** What this process's presence record says about requests. */
  offer(): RequestOffer {
    return { rpc: this.rpc, methods: this.#responder.methods };
  }

  stats(): RequestStats {
    return {
      inFlight: this.#requester.inFlight,
      handling: this.#responder.handling,
      lateReplies: this.#requester.lateReplies,
      droppedOne: this.#droppedOne,
    };
  }

  onRequest(method: string, handler: unknown, options: unknown): () => void {
    assertMethodName(method, 'onRequest');
    if (typeof handler !== 'function') {
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_OPTION',
        `onRequest handler ${describeValue(handler)} is not a function`,
      );
    }
    return this.#responder.add(method, handler as RequestHandler, resolveOnRequestOptions(options));
  }

  request(target: string, method: string, data: unknown, options: unknown): Promise<unknown> {
    assertTarget(target);
    assertMethodName(method, 'request');
    const resolved = resolveRequestOptions(options);
    const dataJson = encodeData(data);
    return this.#requester.call(target, method, dataJson, resolved, this.host.joined('request'));
  }

  /** `publish(group, data, { deliver: 'one' })`: to one live member of the group, round-robin. */
  publishOne(group: string, data: unknown): void {
    if (!isGroupName(group)) {
      assertUserChannel(group);
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_CHANNEL',
        `deliver: "one" goes to one member of a group; ${describeValue(group)} is not a group name`,
        { details: { value: group } },
      );
    }
    const dataJson = encodeData(data);
    const member = this.#balancer.pick(group, undefined);
    if ('reason' in member) {
      this.#droppedOne++;
      if (this.#emptyGroups.has(group)) return;
      this.#emptyGroups.add(group);
      this.host.report(
        new ClustrError(
          'ERR_CLUSTR_NO_RESPONDER',
          `a deliver: "one" message to group "${group}" was dropped: ${member.reason} (reported once until the group has a live member again; requestStats().droppedOne counts them)`,
          { details: { group } },
        ),
      );
      return;
    }
    this.#emptyGroups.delete(group);
    this.host.send(rpcChannel(member.rpc ?? member.workerId), encodeOne(group, dataJson));
  }

  /** A message on this process's rpc channel. */
  receive(envelope: Envelope): void {
    const { meta } = envelope;
    const message = readRpcMessage(envelope.data);
    if (message === undefined) {
      this.#refuse(meta, 'ERR_CLUSTR_BAD_FRAME', 'not a request, a reply or a one-of-group message');
      return;
    }
    const { data } = envelope.data as { data?: unknown };
    switch (message.kind) {
      case 'req':
        this.#responder.handle(meta, message.id, message.method, message.replyTo, data);
        return;
      case 'one':
        if (message.group === this.group) this.host.deliverToGroup({ meta, data });
        else this.#refuse(meta, 'ERR_CLUSTR_BAD_FRAME', `a message for group "${message.group}"`);
        return;
      default: {
        const error = message.kind === 'err' ? message.error : undefined;
        if (this.#requester.replied(meta, message.id, error, data) === 'not-from-member')
          this.#refuse(
            meta,
            'ERR_CLUSTR_FORBIDDEN',
            `a reply to request ${message.id}, asked of another member`,
          );
      }
    }
  }

  /** The process leaves: what is still pending fails with `ERR_CLUSTR_CLOSED`. */
  close(): void {
    this.#requester.close();
    this.#reports.flush();
  }

  #refuse(meta: Meta, code: 'ERR_CLUSTR_BAD_FRAME' | 'ERR_CLUSTR_FORBIDDEN', what: string): void {
    this.#reports.add(
      meta.workerId ?? meta.group,
      new ClustrError(code, `${what} on ${this.channel} from ${describeValue(meta)}: dropped`, {
        details: { from: meta },
      }),
    );
  }
}
