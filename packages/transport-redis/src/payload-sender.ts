import { ClustrError } from '@clustr/protocol';
import { ENVELOPE_OVERHEAD_BYTES, NUMBERING_OVERHEAD_BYTES } from './build-payloads.js';
import { SIGNATURE_OVERHEAD_BYTES } from './frame-signature.js';
import type { RedisPublisher } from './redis-publisher.js';
import type { ResolvedRedisOptions } from './redis-transport-options.js';

/** Publishes one message (its meta and data, already JSON) on a clustr channel, or reports why it was not sent. */
export type PayloadSender = (channel: string, metaJson: string, dataJson: string) => void;

/**
 * Creates the sender every publish goes through (the process's own and those relayed from a
 * child): it refuses a message whose lone envelope would be over `maxPayloadBytes` less what its framing will add (the
 * numbering; with a secret, the signature too) — receivers would drop it anyway — and hands the
 * rest to the publisher under `<namespace>:<channel>`.
 */
export function createPayloadSender(
  options: ResolvedRedisOptions,
  publisher: Pick<RedisPublisher, 'publish'>,
  report: (error: ClustrError) => void,
): PayloadSender {
  const prefix = `${options.namespace}:`;
  const isSigned = options.secret !== undefined;
  const framing = NUMBERING_OVERHEAD_BYTES + (isSigned ? SIGNATURE_OVERHEAD_BYTES : 0);
  const max = options.maxPayloadBytes - framing;
  const limit = `maxPayloadBytes (${options.maxPayloadBytes}) less the ${framing} bytes its ${isSigned ? 'numbering and signature add' : 'numbering adds'}`;
  return (channel, metaJson, dataJson) => {
    // Receivers count UTF-8 bytes; a character is at most 3 of them (a surrogate pair 4 for 2),
    // so only a message that might be too large as a lone envelope is measured.
    if ((metaJson.length + dataJson.length) * 3 + ENVELOPE_OVERHEAD_BYTES > max) {
      const size = Buffer.byteLength(metaJson) + Buffer.byteLength(dataJson) + ENVELOPE_OVERHEAD_BYTES;
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
    publisher.publish(prefix + channel, metaJson, dataJson);
  };
}
