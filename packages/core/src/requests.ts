import { ClustrError, type Envelope, encodeData, type Meta } from '@clustr/protocol';
import {
  assertUserChannel,
  describeValue,
  isGroupName,
  oneChannel,
  ReportThrottle,
  randomId,
  rpcChannel,
} from '@clustr/protocol/internal';
import { Balancer, type BalancerPresence } from './balancer.js';
import type { LeaveReason, Member } from './presence-types.js';
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
import { type RpcData, readRemoteError, rpcKind } from './rpc-wire.js';

/** Most rpc channel strings kept; past it the cache starts again (members come and go). */
const MAX_CACHED_CHANNELS = 10_000;

/** What requests need of their process. */
export interface RequestsHost {
  /** Presence: who is alive, what each answers, who leaves. */
  readonly presence: BalancerPresence & {
    onLeave(handler: (member: Member, reason: LeaveReason) => void): () => void;
    /** This process's methods changed: its record must say so soon. */
    offerChanged(): void;
  };
  /** Publishes as this process; throws once it has left (or could not join). */
  send(channel: string, dataJson: string): void;
  report(error: ClustrError): void;
  /** Undefined once the process is in the cluster; a promise while it joins; throws once it has left. */
  joined(operation: string): Promise<void> | undefined;
}

/**
 * Requests and one-of-group delivery, as a process runs them. It listens on its own control
 * channel `rpc:<id>` for requests (answered by its {@link Responder}) and replies (matched by its
 * {@link Requester}); a worker also on `one:<workerId>` for one-of-group messages, whose data is
 * the message itself (handed to its group handlers as it came). The member a request or a
 * one-of-group message goes to is chosen by the {@link Balancer} from presence.
 * `ClusterProcess` composes it.
 */
export class Requests {
  /** This process's rpc id: `<workerId>.<pid>` (one per incarnation); a master's `master.<uuid>`, which no member can claim. */
  readonly rpc: string;
  /** The channel it listens on: `rpc:<rpc>`. */
  readonly channel: string;
  /** A worker's one-of-group channel, `one:<workerId>`; a master has none (it is in no group). */
  readonly oneChannel: string | undefined;
  readonly #responder: Responder;
  readonly #balancer: Balancer;
  readonly #requester: Requester;
  /** Bad or foreign messages on the rpc channel: reported once per sender per second. */
  readonly #reports: ReportThrottle;
  /** Groups a one-of-group message was dropped for, until one is delivered again. */
  readonly #emptyGroups = new Set<string>();
  #droppedOne = 0;
  /** The last group `publishOne` accepted, target and method `request` accepted. */
  #checkedGroup: string | undefined;
  #checkedTarget: string | undefined;
  #checkedMethod: string | undefined;
  /**
   * The rpc channel of each member asked, one string per member: a transport's route lookup
   * hashes a string once, not a fresh concatenation per message.
   */
  readonly #channels = new Map<string, string>();

  constructor(
    workerId: string | undefined,
    private readonly host: RequestsHost,
  ) {
    // One rpc channel per incarnation: during a reload two processes of one workerId answer and
    // ask at once, each on its own channel (presence says which is whose).
    this.rpc = workerId === undefined ? `master.${randomId()}` : `${workerId}.${process.pid}`;
    this.channel = rpcChannel(this.rpc);
    this.oneChannel = workerId === undefined ? undefined : oneChannel(workerId);
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
      channelOf: (member) => this.#channelOf(member),
      send: (channel, dataJson) => host.send(channel, dataJson),
    });
    this.#reports = new ReportThrottle((error) => host.report(error));
    // A member replaced by a reload keeps answering what it took (its shutdown waits for its
    // handlers): what is in flight to it is not failed; its timeout still bounds it.
    presence.onLeave((member, reason) => {
      if (reason.kind !== 'reload') this.#requester.left(member);
    });
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
    // Calls in a row name the same target and method: check each once (strings are immutable).
    if (target !== this.#checkedTarget) {
      assertTarget(target);
      this.#checkedTarget = target;
    }
    if (method !== this.#checkedMethod) {
      assertMethodName(method, 'request');
      this.#checkedMethod = method;
    }
    const resolved = resolveRequestOptions(options);
    const dataJson = encodeData(data);
    return this.#requester.call(target, method, dataJson, resolved, this.host.joined('request'));
  }

  /** `publish(group, data, { deliver: 'one' })`: to one live member of the group, round-robin. */
  publishOne(group: string, data: unknown): void {
    // A burst goes to the same group again and again: check its name once.
    if (group !== this.#checkedGroup && !isGroupName(group)) {
      assertUserChannel(group);
      throw new ClustrError(
        'ERR_CLUSTR_INVALID_CHANNEL',
        `deliver: "one" goes to one member of a group; ${describeValue(group)} is not a group name`,
        { details: { value: group } },
      );
    }
    this.#checkedGroup = group;
    const dataJson = encodeData(data);
    const picked = this.#balancer.pickChannel(group);
    if (typeof picked !== 'string') {
      this.#droppedOne++;
      if (this.#emptyGroups.has(group)) return;
      this.#emptyGroups.add(group);
      this.host.report(
        new ClustrError(
          'ERR_CLUSTR_NO_RESPONDER',
          `a deliver: "one" message to group "${group}" was dropped: ${picked.reason} (reported once until the group has a live member again; requestStats().droppedOne counts them)`,
          { details: { group } },
        ),
      );
      return;
    }
    if (this.#emptyGroups.size > 0) this.#emptyGroups.delete(group);
    this.host.send(picked, dataJson);
  }

  /** The channels this process listens on for requests, replies and one-of-group messages. */
  get channels(): readonly string[] {
    return this.oneChannel === undefined ? [this.channel] : [this.channel, this.oneChannel];
  }

  /** A message on this process's rpc channel. */
  receive(envelope: Envelope): void {
    const { meta, data } = envelope;
    const kind = rpcKind(data);
    if (kind === 'req') {
      const { req, data: request } = data as Extract<RpcData, { req: unknown }>;
      this.#responder.handle(meta, req.id, req.method, req.replyTo, request);
    } else if (kind !== undefined) {
      const { res, data: reply } = data as Extract<RpcData, { res: unknown }>;
      const error = kind === 'err' ? readRemoteError(res.error) : undefined;
      if (kind === 'err' && error === undefined)
        this.#refuse(meta, 'ERR_CLUSTR_BAD_FRAME', 'a reply whose error has no name or message');
      else if (this.#requester.replied(meta, res.id, error, reply) === 'not-from-member')
        this.#refuse(meta, 'ERR_CLUSTR_FORBIDDEN', `a reply to request ${res.id}, asked of another member`);
    } else this.#refuse(meta, 'ERR_CLUSTR_BAD_FRAME', 'not a request or a reply');
  }

  /** Resolves once the requests this process is answering are answered (a shutdown waits for it). */
  answered(): Promise<void> {
    return this.#responder.whenIdle();
  }

  /** The process leaves: what is still pending fails with `ERR_CLUSTR_CLOSED`. */
  close(): void {
    this.#requester.close();
    this.#reports.flush();
  }

  #channelOf(member: Member): string {
    return cached(this.#channels, member.rpc ?? member.workerId, rpcChannel);
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

/** `build(id)`, kept in `cache` (bounded: past it the cache starts again, members come and go). */
function cached(cache: Map<string, string>, id: string, build: (id: string) => string): string {
  let channel = cache.get(id);
  if (channel === undefined) {
    if (cache.size >= MAX_CACHED_CHANNELS) cache.clear();
    channel = build(id);
    cache.set(id, channel);
  }
  return channel;
}
