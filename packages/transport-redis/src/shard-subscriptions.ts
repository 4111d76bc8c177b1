import { ClustrError, toClustrError } from '@clustr/protocol';
import type { ConnectionPair } from './connection-pair.js';

/** What the subscriptions of a cluster transport need from their router. */
export interface ShardSubscriptionHooks {
  /** The pair of the primary that owns `channel`'s slot now. */
  ownerOf(channel: string): ConnectionPair | undefined;
  report(error: ClustrError): void;
}

/**
 * The cluster transport's registry of subscriptions: references per channel, and the shard pair
 * each channel is subscribed on (its home). The pairs' subscribers hold one reference per
 * channel; {@link ShardSubscriptions.rehome} moves a channel whose owner changed — or that its
 * node dropped — ending the old subscription before making the new one.
 */
export interface ShardSubscriptions {
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** The node dropped `channel` by itself: it is made again at the next {@link rehome}. */
  lost(channel: string): void;
  /** Moves every channel not on its owner; resolves once all moves are done. */
  rehome(): Promise<void>;
  /** The shards are open: waiting subscriptions go ahead; resolves once they are settled. */
  open(): Promise<void>;
  /** Waiting subscriptions reject with `ERR_CLUSTR_CLOSED`. */
  close(): void;
  channels(): string[];
}

/** Creates the registry; subscriptions made before {@link ShardSubscriptions.open} wait for it. */
export function createShardSubscriptions(hooks: ShardSubscriptionHooks): ShardSubscriptions {
  const counts = new Map<string, number>();
  const pending = new Map<string, Promise<void>>();
  const homes = new Map<string, ConnectionPair>();
  const lost = new Set<string>();
  let release!: () => void;
  let refuse!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    release = resolve;
    refuse = reject;
  });
  opened.catch(() => {});

  async function makeLive(channel: string): Promise<void> {
    await opened;
    if (!counts.has(channel)) return;
    const owner = hooks.ownerOf(channel);
    if (owner === undefined)
      throw new ClustrError(
        'ERR_CLUSTR_TRANSPORT',
        `redis cluster: no primary serves the slot of channel "${channel}"`,
      );
    homes.set(channel, owner);
    await owner.subscriber.subscribe(channel);
  }

  async function move(channel: string, from: ConnectionPair, to: ConnectionPair): Promise<void> {
    // Ended (and answered) first: a message must not reach this process through both nodes.
    await from.subscriber.unsubscribe(channel);
    if (homes.get(channel) !== to || !counts.has(channel)) return;
    await to.subscriber.subscribe(channel).catch((error: unknown) => {
      hooks.report(
        toClustrError(
          error,
          'ERR_CLUSTR_TRANSPORT',
          `redis cluster: SSUBSCRIBE of "${channel}" on its new primary failed`,
        ),
      );
    });
  }

  return {
    async subscribe(channel) {
      const count = counts.get(channel) ?? 0;
      counts.set(channel, count + 1);
      if (count > 0) return pending.get(channel);
      const live = makeLive(channel);
      pending.set(channel, live);
      try {
        await live;
      } catch (error) {
        counts.delete(channel);
        homes.delete(channel);
        throw error;
      } finally {
        if (pending.get(channel) === live) pending.delete(channel);
      }
    },
    async unsubscribe(channel) {
      const count = counts.get(channel);
      if (count === undefined) return;
      if (count > 1) {
        counts.set(channel, count - 1);
        return;
      }
      counts.delete(channel);
      lost.delete(channel);
      const home = homes.get(channel);
      homes.delete(channel);
      await home?.subscriber.unsubscribe(channel);
    },
    lost(channel) {
      if (counts.has(channel)) lost.add(channel);
    },
    async rehome() {
      const moves: Promise<void>[] = [];
      for (const [channel, from] of homes) {
        const to = hooks.ownerOf(channel);
        if (to === undefined || (to === from && !lost.has(channel))) continue;
        lost.delete(channel);
        homes.set(channel, to);
        moves.push(move(channel, from, to));
      }
      await Promise.all(moves);
    },
    async open() {
      release();
      await Promise.allSettled([...pending.values()]);
    },
    close() {
      refuse(new ClustrError('ERR_CLUSTR_CLOSED', 'cannot subscribe: the redis transport is closed'));
    },
    channels: () => [...counts.keys()],
  };
}
