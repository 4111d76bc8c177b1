/** How many hash slots a Redis Cluster has. */
export const CLUSTER_SLOTS = 16_384;

/** CRC16-CCITT (XModem), the checksum Redis Cluster hashes keys and shard channels with. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * The slot of a shard channel, as the server computes it: the CRC16 of its UTF-8 bytes modulo
 * 16384 — of only the part inside the first `{…}` when that is not empty (a hash tag), so
 * `{ops}:a` and `{ops}:b` share a slot.
 */
export function clusterSlot(channel: string): number {
  const bytes = Buffer.from(channel);
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) % CLUSTER_SLOTS;
  }
  return crc16(bytes, 0, bytes.length) % CLUSTER_SLOTS;
}
