/** What the bus needs from each transport on it: a way to hand it a message. */
export interface MemoryBusMember {
  /** Called a turn after the publish, once per subscribed member, in publish order. */
  receive(channel: string, metaJson: string, dataJson: string): void;
}

/**
 * The shared medium of in-memory transports: several "processes" in one test, each a
 * `createMemoryTransport({ bus })`, reach each other through it. Not global: a test makes its
 * own, so two tests never see each other's messages.
 */
export interface MemoryBus {
  /** Members subscribed to `channel`, for assertions. */
  subscribers(channel: string): readonly MemoryBusMember[];
  /** Adds `member` to `channel` (idempotent). */
  join(channel: string, member: MemoryBusMember): void;
  /** Removes `member` from `channel` (idempotent). */
  leave(channel: string, member: MemoryBusMember): void;
  /**
   * Queues a message for every member subscribed to `channel` now. Delivery happens on the next
   * macrotask, never inside `publish`, and in one global order: per sender order follows.
   */
  send(channel: string, metaJson: string, dataJson: string): void;
}

/**
 * Creates a {@link MemoryBus}.
 *
 * @example
 * const bus = createMemoryBus();
 * const a = createMemoryTransport({ bus });
 * const b = createMemoryTransport({ bus }); // b receives what a publishes to b's channels
 */
export function createMemoryBus(): MemoryBus {
  const members = new Map<string, MemoryBusMember[]>();
  // One flat queue: [member, channel, meta, data] per delivery; no object per message.
  let queue: unknown[] = [];
  let isScheduled = false;

  function flush(): void {
    isScheduled = false;
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += 4) {
      (batch[i] as MemoryBusMember).receive(
        batch[i + 1] as string,
        batch[i + 2] as string,
        batch[i + 3] as string,
      );
    }
  }

  return {
    subscribers: (channel) => members.get(channel) ?? [],
    join(channel, member) {
      const list = members.get(channel) ?? [];
      if (!list.includes(member)) members.set(channel, [...list, member]);
    },
    leave(channel, member) {
      const list = (members.get(channel) ?? []).filter((m) => m !== member);
      if (list.length === 0) members.delete(channel);
      else members.set(channel, list);
    },
    send(channel, metaJson, dataJson) {
      for (const member of members.get(channel) ?? []) queue.push(member, channel, metaJson, dataJson);
      if (isScheduled || queue.length === 0) return;
      isScheduled = true;
      setImmediate(flush);
    },
  };
}
