import { ClustrError, type TransportSelf } from '@clustr/protocol';
import { clusterSlot } from './cluster-slot.js';
import { askSlotMap, discoverSlotMap, isSameMap, type SlotMap } from './cluster-topology.js';
import {
  type ConnectionPair,
  createConnectionPair,
  type PairHooks,
  type TransportConnections,
} from './connection-pair.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';
import type { RedisTransportStats } from './redis-transport-types.js';
import { createShardSubscriptions } from './shard-subscriptions.js';
import { addStats, EMPTY_STATS } from './transport-stats.js';

/** How often the slot map is asked again while every shard is up, in ms. */
const REFRESH_MS = 5_000;
/** Slots remembered per Redis channel name, before the cache starts over. */
const MAX_CACHED_SLOTS = 10_000;

type Phase = { kind: 'idle' } | { kind: 'opening' } | { kind: 'open' } | { kind: 'closed' };

/**
 * The connections of a transport on a Redis Cluster: one {@link ConnectionPair} (publisher and
 * subscriber, each with its health check, reconnect loop and bounded backlog) per primary, speaking
 * sharded pub/sub, and a router sending each channel to the pair of the primary owning its slot.
 * When the slot map changes (a failover, a killed primary replaced by its replica, a slot moved)
 * each moved channel's subscription is ended on the old owner before it is made on the new one
 * (so nothing arrives twice) and the old owner's backlog for it is handed over, in order, before
 * anything newer; primaries left without slots are closed.
 */
export function createShardedConnections(
  options: ResolvedRedisOptions,
  hooks: PairHooks,
): TransportConnections {
  const rootNodes = options.cluster?.rootNodes ?? [options.url];
  const prefix = `${options.namespace}:`;
  const pairs = new Map<string, ConnectionPair>();
  const slots = new Map<string, number>();
  /**
   * What is published before the shards are open, or to a slot no primary serves in the current
   * map: flat `[key, metaJson, dataJson, …]`, bounded, sent in order once the slot has an owner.
   */
  let early: string[] = [];
  let earlyDropped = 0;
  let retired: RedisTransportStats = EMPTY_STATS;
  let map: SlotMap | undefined;
  let phase: Phase = { kind: 'idle' };
  let self: TransportSelf | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let isAskedAgain = false;

  const slotOf = (key: string): number => {
    let slot = slots.get(key);
    if (slot === undefined) {
      if (slots.size >= MAX_CACHED_SLOTS) slots.clear();
      slot = clusterSlot(key);
      slots.set(key, slot);
    }
    return slot;
  };
  const ownerOf = (key: string): ConnectionPair | undefined => {
    const url = map?.owners[slotOf(key)];
    return url === undefined ? undefined : pairs.get(url);
  };
  const subscriptions = createShardSubscriptions({
    ownerOf: (channel) => ownerOf(prefix + channel),
    report: hooks.report,
  });

  function publish(key: string, metaJson: string, dataJson: string): void {
    const owner = phase.kind === 'open' ? ownerOf(key) : undefined;
    if (owner !== undefined) {
      owner.publisher.publish(key, metaJson, dataJson);
      return;
    }
    if (early.length < options.maxQueuedMessages * 3) {
      early.push(key, metaJson, dataJson);
      return;
    }
    earlyDropped++;
    if (earlyDropped === 1)
      hooks.report(
        new ClustrError(
          'ERR_CLUSTR_QUEUE_FULL',
          `the redis cluster is not reached yet and ${options.maxQueuedMessages} messages are queued (maxQueuedMessages): later messages are dropped`,
          { details: { maxQueuedMessages: options.maxQueuedMessages, channel: key } },
        ),
      );
  }

  /** Hands what waited for an owner to the owners the map now names; the rest waits on. */
  function flushEarly(): void {
    if (early.length === 0) return;
    const waiting = early;
    early = [];
    for (let i = 0; i < waiting.length; i += 3) publish(waiting[i]!, waiting[i + 1]!, waiting[i + 2]!);
  }

  function makePair(url: string): ConnectionPair {
    const pair = createConnectionPair(
      { ...options, url },
      {
        ...hooks,
        report(error) {
          hooks.report(error);
          // A SPUBLISH answered MOVED: the slot has another owner (a resharding).
          const cause = error.cause instanceof Error ? error.cause.message : '';
          if (cause.startsWith('MOVED') || cause.startsWith('ASK')) scheduleRefresh(0);
        },
        changed: () => scheduleRefresh(0),
        moved(channel) {
          subscriptions.lost(channel);
          scheduleRefresh(0, pair);
        },
      },
    );
    pairs.set(url, pair);
    return pair;
  }

  /** Opens a pair made after the first open (a new primary): a failure is reported and retried. */
  function openLater(url: string, pair: ConnectionPair): void {
    if (self === undefined) return;
    pair
      .open(self, () => {})
      .catch((error: unknown) => {
        if (phase.kind === 'closed' || pairs.get(url) !== pair) return;
        pairs.delete(url);
        retire(pair);
        if (error instanceof ClustrError) hooks.report(error);
        scheduleRefresh(options.reconnectInitialDelayMs);
      });
  }

  /** Routes by `next`: new primaries get a pair, moved backlogs and subscriptions follow. */
  function apply(next: SlotMap): Promise<unknown>[] {
    const opening: Promise<unknown>[] = [];
    map = next;
    for (const url of next.primaries) {
      if (pairs.has(url)) continue;
      const pair = makePair(url);
      if (phase.kind === 'open') openLater(url, pair);
      else if (self !== undefined) opening.push(pair.open(self, () => {}));
    }
    const gone: ConnectionPair[] = [];
    for (const [url, pair] of pairs) {
      for (const target of pairs.values()) {
        if (target !== pair) pair.publisher.moveQueuedTo(target.publisher, (key) => ownerOf(key) === target);
      }
      if (next.primaries.includes(url)) continue;
      pairs.delete(url);
      gone.push(pair);
    }
    // The old primaries close once the subscriptions they held are ended.
    void subscriptions.rehome().then(() => {
      for (const pair of gone) retire(pair);
    });
    return opening;
  }

  function retire(pair: ConnectionPair): void {
    void pair.close(true).then(() => {
      retired = addStats(retired, pair.stats());
    });
  }

  /** Asks the slot map again (from `first` when given: the node that just said it moved). */
  function refresh(first?: ConnectionPair): Promise<void> {
    // Asked while a refresh runs: that one may have read the map before the news, so one more.
    if (refreshing !== undefined) isAskedAgain = true;
    refreshing ??= (async () => {
      const asked = first ?? [...pairs.values()].find((pair) => pair.publisher.client !== undefined);
      const client = asked?.publisher.client;
      const url = [...pairs].find(([, pair]) => pair === asked)?.[0] ?? rootNodes[0]!;
      const next =
        (client === undefined ? undefined : await askSlotMap(client, rootNodes[0]!, url)) ??
        (await discoverSlotMap(options, [...new Set([...rootNodes, ...pairs.keys()])]).catch(
          () => undefined,
        ));
      if (next !== undefined && phase.kind === 'open' && !isSameMap(map, next)) apply(next);
      else if (phase.kind === 'open') void subscriptions.rehome();
      if (phase.kind === 'open') flushEarly();
    })().finally(() => {
      refreshing = undefined;
      const soon = isAskedAgain ? 0 : Math.max(100, options.reconnectInitialDelayMs);
      isAskedAgain = false;
      scheduleRefresh(isDegraded() || soon === 0 ? soon : REFRESH_MS);
    });
    return refreshing;
  }

  const isDegraded = () =>
    [...pairs.values()].some((pair) => pair.publisher.client === undefined || !pair.subscriber.isUp);

  function scheduleRefresh(delayMs: number, first?: ConnectionPair): void {
    if (phase.kind !== 'open') return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(first), delayMs).unref();
  }

  async function open(given: TransportSelf, onOpen: () => void): Promise<void> {
    self = given;
    phase = { kind: 'opening' };
    try {
      const first = await discoverSlotMap(options, rootNodes);
      if (phase.kind !== 'opening')
        throw new ClustrError('ERR_CLUSTR_CLOSED', 'the redis transport was closed while connecting');
      await Promise.all(apply(first));
      phase = { kind: 'open' };
      await subscriptions.open();
    } catch (error) {
      await close(false).catch(() => {});
      throw error;
    }
    flushEarly();
    scheduleRefresh(REFRESH_MS);
    onOpen();
  }

  async function close(isConnected: boolean): Promise<void> {
    phase = { kind: 'closed' };
    clearTimeout(refreshTimer);
    subscriptions.close();
    if (early.length > 0) {
      earlyDropped += early.length / 3;
      early = [];
    }
    await Promise.all([...pairs.values()].map((pair) => pair.close(isConnected)));
  }

  function stats(): RedisTransportStats {
    let total = addStats(retired, { ...EMPTY_STATS, dropped: earlyDropped, queued: early.length / 3 });
    for (const pair of pairs.values()) total = addStats(total, pair.stats());
    return { ...total, channels: subscriptions.channels() };
  }

  return {
    publisher: { publish },
    subscriber: { subscribe: subscriptions.subscribe, unsubscribe: subscriptions.unsubscribe },
    open,
    close,
    stats,
  };
}
