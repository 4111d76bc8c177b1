import { type ChildLink, ClustrError, isChannelName, type TransportSelf } from '@clustr/protocol';
import { createTransportHandlers, describeValue, isOptionsObject } from '@clustr/protocol/internal';
import { createConnectionPair, type TransportConnections } from './connection-pair.js';
import { createFrameReports } from './frame-reports.js';
import { createPayloadSender } from './payload-sender.js';
import { describeSecretForChild, secretFromDescriptor } from './redis-secret.js';
import {
  type RedisTransportOptions,
  type ResolvedRedisOptions,
  resolveRedisOptions,
} from './redis-transport-options.js';
import type { RedisTransport } from './redis-transport-types.js';
import { relayChildFrames } from './relay-child-frames.js';
import { createShardedConnections } from './sharded-connections.js';
import { INITIAL_TRANSPORT_STATE, nextTransportState, type TransportState } from './transport-state.js';

export type { RedisTransport, RedisTransportStats } from './redis-transport-types.js';

const closedError = (what: string) =>
  new ClustrError('ERR_CLUSTR_CLOSED', `${what}: the redis transport is closed`);

/** A rejection, not a throw: promise-returning methods never throw (the transport kit's rule). */
function invalidChannel(channel: unknown): Promise<never> {
  return Promise.reject(
    new ClustrError(
      'ERR_CLUSTR_INVALID_CHANNEL',
      `channel ${describeValue(channel)} is not a valid channel name`,
      {
        details: { channel },
      },
    ),
  );
}

/**
 * Creates the transport that meets the cluster on Redis pub/sub: channel `<namespace>:<name>`,
 * payload the envelope JSON, signed when the transport has a secret. Two connections
 * (publisher, subscriber) with their own reconnect, re-subscription and a bounded queue for what
 * is published while disconnected. Children spawned by this process rebuild it from
 * {@link RedisTransport.describe}.
 *
 * @example
 * import { Master } from 'clustr-node';
 * import { createRedisTransport } from '@clustr/transport-redis';
 *
 * const master = Master.create({
 *   transport: createRedisTransport({
 *     url: 'redis://app:password@10.0.0.5:6379',
 *     namespace: 'shop',
 *     secret: process.env.SHOP_CLUSTER_SECRET, // ≥ 32 bytes; CLUSTR_SECRET is read when absent
 *   }),
 * });
 * await master.ready();
 */
export function createRedisTransport(options: RedisTransportOptions = {}): RedisTransport {
  return buildTransport(resolveRedisOptions(options));
}

function buildTransport(resolved: ResolvedRedisOptions): RedisTransport {
  const handlers = createTransportHandlers();
  const frameReports = createFrameReports(handlers.report);
  const links = new Set<() => void>();
  let relayForbidden = 0;
  let state: TransportState = INITIAL_TRANSPORT_STATE;
  const pairHooks = {
    ...handlers,
    reportFrame: frameReports.add,
    isClosing: () => state.kind === 'closed',
  };
  const pair: TransportConnections =
    resolved.cluster === undefined
      ? createConnectionPair(resolved, pairHooks)
      : createShardedConnections(resolved, pairHooks);
  const { publisher, subscriber } = pair;
  const sendPayload = createPayloadSender(resolved, publisher, handlers.report);
  const relayTarget = {
    publishEncoded: sendPayload,
    reportFrame: frameReports.add,
    countForbidden: () => {
      relayForbidden++;
    },
  };

  function connect(self: TransportSelf): Promise<void> {
    if (state.kind === 'closed') return Promise.reject(closedError('cannot connect'));
    if (state.kind !== 'idle') return state.attempt;
    const attempt = pair.open(self, () => {
      state = nextTransportState(state, { type: 'connected' });
    });
    state = nextTransportState(state, { type: 'connect', attempt });
    return attempt;
  }

  async function shutdown(from: TransportState): Promise<void> {
    for (const detach of [...links]) detach();
    await pair.close(from.kind === 'ready');
    // What the throttle still holds back is summed up now, not lost with the transport.
    frameReports.flush();
    // Closing ended the attempts; connect() settles with ERR_CLUSTR_CLOSED.
    if (from.kind === 'connecting') await from.attempt.catch(() => {});
  }

  const transport: RedisTransport = {
    name: 'redis',
    connect,
    subscribe(channel) {
      if (!isChannelName(channel)) return invalidChannel(channel);
      if (state.kind === 'closed') return Promise.reject(closedError(`cannot subscribe to "${channel}"`));
      return subscriber.subscribe(channel);
    },
    unsubscribe: (channel) => subscriber.unsubscribe(channel),
    publish(channel, meta, dataJson) {
      if (state.kind !== 'closed') sendPayload(channel, meta.json, dataJson);
    },
    onMessage: handlers.onMessage,
    onError: handlers.onError,
    describe: () => ({ name: 'redis', module: import.meta.url, options: describeOptions(resolved) }),
    adopt(link: ChildLink) {
      if (state.kind === 'closed') return;
      const detach = relayChildFrames(link, relayTarget, () => links.delete(detach));
      links.add(detach);
    },
    close() {
      if (state.kind === 'closed') return state.done;
      // The shutdown starts before the state says closed, as close() always did.
      const done = shutdown(state);
      state = nextTransportState(state, { type: 'close', done });
      return done;
    },
    stats() {
      const stats = pair.stats();
      return { ...stats, forbidden: stats.forbidden + relayForbidden };
    },
    [Symbol.asyncDispose]: () => transport.close(),
  };
  return transport;
}

/**
 * What a child needs to rebuild the transport: every resolved option but the client name (a
 * child's connections are named after the child), the secret as `{ base64 }` — also when it came
 * from `CLUSTR_SECRET`: a child learns it here, never from its environment. JSON only: it travels
 * in the child's welcome frame, over its link (the url may hold a password).
 */
function describeOptions(resolved: ResolvedRedisOptions): Record<string, unknown> {
  const { clientName: _parentName, tls, secret, cluster, url, ...rest } = resolved;
  return {
    ...rest,
    // One of the two: a child's options are checked like its parent's, and they are exclusive.
    ...(cluster === undefined ? { url } : { cluster: { rootNodes: [...cluster.rootNodes] } }),
    ...(tls === undefined ? {} : { tls: { ...tls } }),
    ...(secret === undefined ? {} : { secret: describeSecretForChild(secret) }),
  };
}

/**
 * Rebuilds the transport in a spawned child from its parent's {@link RedisTransport.describe}
 * options. The child's connections are named after the child, not the parent. Only the
 * descriptor counts: without a secret in it the child is unsigned, whatever its environment's
 * `CLUSTR_SECRET` says.
 *
 * @example
 * const { transport: descriptor } = await joinParent()!.welcome; // @clustr/spawner
 * const transport = (await import(descriptor.module)).restoreTransport(descriptor.options);
 */
export function restoreTransport(options: Readonly<Record<string, unknown>>): RedisTransport {
  // Not an object: left for the option check to refuse with its usual message.
  const given = isOptionsObject(options)
    ? { ...options, secret: secretFromDescriptor('redis transport option secret', options.secret) }
    : options;
  return buildTransport(resolveRedisOptions(given as RedisTransportOptions, {}));
}
