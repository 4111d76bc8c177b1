import { ClustrError } from '@clustr/protocol';
import type { RedisPublisher } from './redis-publisher.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/** Publishes one encoded envelope on a clustr channel, or reports why it was not sent. */
export type PayloadSender = (channel: string, payload: string) => void;

/**
 * Creates the sender every publish goes through (the process's own and those relayed from a
 * child): it refuses a payload over `maxPayloadBytes` — receivers would drop it anyway — and
 * hands the rest to the publisher under `<namespace>:<channel>`.
 */
export function createPayloadSender(
  options: ResolvedRedisOptions,
  publisher: Pick<RedisPublisher, 'publish'>,
  report: (error: ClustrError) => void,
): PayloadSender {
  const prefix = `${options.namespace}:`;
  const max = options.maxPayloadBytes;
  return (channel, payload) => {
    // Receivers count UTF-8 bytes; a character is at most 3 of them (a surrogate pair 4 for 2),
    // so only a payload that might be too large is measured.
    if (payload.length * 3 > max) {
      const size = Buffer.byteLength(payload);
      if (size > max) {
        report(
          new ClustrError(
            'ERR_CLUSTR_INVALID_DATA',
            `message of ${size} bytes to channel "${channel}" was not sent: larger than maxPayloadBytes (${max})`,
            { details: { channel, size, maxPayloadBytes: max } },
          ),
        );
        return;
      }
    }
    publisher.publish(prefix + channel, payload);
  };
}
