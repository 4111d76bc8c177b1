import { ClustrError } from '@clustr/protocol';
import { SIGNATURE_OVERHEAD_BYTES } from './frame-signature.js';
import type { RedisPublisher } from './redis-publisher.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/** Publishes one encoded envelope on a clustr channel, or reports why it was not sent. */
export type PayloadSender = (channel: string, payload: string) => void;

/**
 * Creates the sender every publish goes through (the process's own and those relayed from a
 * child): it refuses a payload over `maxPayloadBytes` — receivers would drop it anyway; with a
 * secret, over `maxPayloadBytes` less what the signature will add — and hands the rest to the
 * publisher under `<namespace>:<channel>`.
 */
export function createPayloadSender(
  options: ResolvedRedisOptions,
  publisher: Pick<RedisPublisher, 'publish'>,
  report: (error: ClustrError) => void,
): PayloadSender {
  const prefix = `${options.namespace}:`;
  const isSigned = options.secret !== undefined;
  const max = options.maxPayloadBytes - (isSigned ? SIGNATURE_OVERHEAD_BYTES : 0);
  const limit = isSigned
    ? `maxPayloadBytes (${options.maxPayloadBytes}) less the ${SIGNATURE_OVERHEAD_BYTES} bytes its signature adds`
    : `maxPayloadBytes (${max})`;
  return (channel, payload) => {
    // Receivers count UTF-8 bytes; a character is at most 3 of them (a surrogate pair 4 for 2),
    // so only a payload that might be too large is measured.
    if (payload.length * 3 > max) {
      const size = Buffer.byteLength(payload);
      if (size > max) {
        report(
          new ClustrError(
            'ERR_CLUSTR_INVALID_DATA',
            `message of ${size} bytes to channel "${channel}" was not sent: larger than ${limit}`,
            { details: { channel, size, maxPayloadBytes: options.maxPayloadBytes, limit: max } },
          ),
        );
        return;
      }
    }
    publisher.publish(prefix + channel, payload);
  };
}
