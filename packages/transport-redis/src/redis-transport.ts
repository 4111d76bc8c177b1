import {
  type ChildLink,
  ClustrError,
  encodeEnvelope,
  isChannelName,
  type TransportSelf,
} from '@clustr/protocol';
import { createTransportHandlers, describeValue } from '@clustr/protocol/internal';
import { createConnectionPair } from './connection-pair.js';
import { createPayloadSender } from './payload-sender.js';
import {
  type RedisTransportOptions,
  type ResolvedRedisOptions,
  resolveRedisOptions,
} from './redis-transport-options.js';
import type { RedisTransport } from './redis-transport-types.js';
import { relayChildFrames } from './relay-child-frames.js';
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
 * payload the envelope JSON. Two connections (publisher, subscriber) with their own reconnect,
 * re-subscription and a bounded queue for what is published while disconnected. Children
 * spawned by this process rebuild it from {@link RedisTransport.describe}.
 *
 * @example
 * import { Master } from 'clustr-node';
 * import { createRedisTransport } from '@clustr/transport-redis';
 *
 * const master = Master.create({
 *   transport: createRedisTransport({ url: 'redis://app:secret@10.0.0.5:6379', namespace: 'shop' }),
 * });
 * await master.ready();
 */
export function createRedisTransport(options: RedisTransportOptions = {}): RedisTransport {
  const resolved = resolveRedisOptions(options);
  const handlers = createTransportHandlers();
  const links = new Set<() => void>();
  let state: TransportState = INITIAL_TRANSPORT_STATE;
  const pair = createConnectionPair(resolved, { ...handlers, isClosing: () => state.kind === 'closed' });
  const { publisher, subscriber } = pair;
  const sendPayload = createPayloadSender(resolved, publisher, handlers.report);

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
      if (state.kind !== 'closed') sendPayload(channel, encodeEnvelope(meta.json, dataJson));
    },
    onMessage: handlers.onMessage,
    onError: handlers.onError,
    describe: () => ({ name: 'redis', module: import.meta.url, options: describeOptions(resolved) }),
    adopt(link: ChildLink) {
      if (state.kind === 'closed') return;
      const detach = relayChildFrames(link, { publishEncoded: sendPayload, report: handlers.report }, () =>
        links.delete(detach),
      );
      links.add(detach);
    },
    close() {
      if (state.kind === 'closed') return state.done;
      // The shutdown starts before the state says closed, as close() always did.
      const done = shutdown(state);
      state = nextTransportState(state, { type: 'close', done });
      return done;
    },
    stats: pair.stats,
    [Symbol.asyncDispose]: () => transport.close(),
  };
  return transport;
}

/**
 * What a child needs to rebuild the transport: every resolved option but the client name (a
 * child's connections are named after the child). JSON only: it travels in the child's welcome
 * frame, over its link (never in the environment: the url may hold a password).
 */
function describeOptions(resolved: ResolvedRedisOptions): Record<string, unknown> {
  const { clientName: _parentName, tls, ...rest } = resolved;
  return tls === undefined ? { ...rest } : { ...rest, tls: { ...tls } };
}

/**
 * Rebuilds the transport in a spawned child from its parent's {@link RedisTransport.describe}
 * options. The child's connections are named after the child, not the parent.
 *
 * @example
 * const { transport: descriptor } = await joinParent()!.welcome; // @clustr/spawner
 * const transport = (await import(descriptor.module)).restoreTransport(descriptor.options);
 */
export function restoreTransport(options: Readonly<Record<string, unknown>>): RedisTransport {
  return createRedisTransport(options as RedisTransportOptions);
}
