import type { AudienceLog } from './audience-log.js';
import type { RedisClient } from './redis-connection.js';

const POLL_MS = 25;

/**
 * Resolves once every channel of `channels` (counted with `numsub`: `PUBSUB NUMSUB`, or
 * `PUBSUB SHARDNUMSUB` on a cluster node, which counts that node's subscribers) has at least as many subscribers as `audience`
 * last saw a PUBLISH to it reach, or after `graceMs`, or when `isStale()` says the connection
 * this wait was for is gone. Never rejects: a failed poll just ends the wait early.
 */
export async function waitForAudience(
  client: RedisClient,
  numsub: readonly string[],
  channels: readonly string[],
  audience: AudienceLog,
  graceMs: number,
  isStale: () => boolean,
): Promise<void> {
  const expected = channels.filter((channel) => audience.get(channel) > 0);
  if (expected.length === 0) return;
  const deadline = Date.now() + graceMs;
  while (!isStale() && Date.now() < deadline) {
    let counts: unknown;
    try {
      counts = await client.sendCommand([...numsub, ...expected]);
    } catch {
      return;
    }
    if (isBack(counts, audience)) return;
    await new Promise<void>((resolve) => setTimeout(resolve, POLL_MS).unref());
  }
}

function isBack(reply: unknown, audience: AudienceLog): boolean {
  if (!Array.isArray(reply)) return true;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    if (Number(reply[i + 1]) < audience.get(String(reply[i]))) return false;
  }
  return true;
}
