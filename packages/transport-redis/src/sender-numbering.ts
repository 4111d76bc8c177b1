import { randomBytes } from 'node:crypto';
import type { PayloadNumbering } from './build-payloads.js';

/** Most channels whose sequence a sender remembers (an LRU), so ever new channels never grow it. */
export const MAX_NUMBERED_CHANNELS = 10_000;

/**
 * How one transport instance numbers what it sends: an incarnation id, random per instance (a
 * restarted process is a new sender, its numbers start over), and per channel a sequence that
 * starts at 1. A channel forgotten by the LRU starts over at 1 too, which a receiver takes for a
 * new start (a number going back is never reported as a loss).
 */
export function createSenderNumbering(): PayloadNumbering {
  const src = randomBytes(9).toString('base64url');
  const last = new Map<string, number>();
  return {
    src,
    take(channel, count) {
      const previous = last.get(channel);
      const next = (previous ?? 0) + count;
      if (previous !== undefined) last.delete(channel);
      else if (last.size >= MAX_NUMBERED_CHANNELS) last.delete(last.keys().next().value as string);
      last.set(channel, next);
      return next;
    },
  };
}
