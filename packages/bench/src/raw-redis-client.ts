import { createClient } from '@redis/client';
import { Redis } from 'ioredis';
import type { RunContext } from './measurement.js';

/** The two raw Redis clients users pick. */
export type RawClientKind = 'redis-client' | 'ioredis';

/** The little both clients are asked to do, each through its own API. */
export interface RawRedisConnection {
  publish(channel: string, payload: string): Promise<unknown>;
  /** Puts the connection in subscriber mode. */
  subscribe(channel: string, onPayload: (payload: string) => void): Promise<void>;
}

/** Opens a connection with `kind`'s client; it is closed at the end of the run. */
export async function openRawConnection(
  context: RunContext,
  kind: RawClientKind,
): Promise<RawRedisConnection> {
  if (kind === 'ioredis') {
    const client = new Redis(context.redisUrl, { lazyConnect: true });
    context.defer(() => client.disconnect());
    await context.wait(client.connect(), 'ioredis to connect');
    return {
      publish: (channel, payload) => client.publish(channel, payload),
      async subscribe(channel, onPayload) {
        client.on('message', (_channel: string, payload: string) => onPayload(payload));
        await client.subscribe(channel);
      },
    };
  }
  const client = createClient({ url: context.redisUrl });
  client.on('error', () => {});
  context.defer(() => client.destroy());
  await context.wait(client.connect(), '@redis/client to connect');
  return {
    publish: (channel, payload) => client.publish(channel, payload),
    subscribe: (channel, onPayload) => client.subscribe(channel, onPayload),
  };
}

/**
 * Issues `count` calls of `issue(i)`, at most `window` in flight: a window is issued in one
 * go (so `@redis/client` pipelines it on its next tick), then awaited.
 */
export async function windowed(
  count: number,
  window: number,
  issue: (i: number) => Promise<unknown>,
): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    inFlight.push(issue(i));
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight.length = 0;
    }
  }
  await Promise.all(inFlight);
}
