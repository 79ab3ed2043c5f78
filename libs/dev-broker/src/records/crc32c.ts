/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches v2.
 *
 * The broker checks every produced batch and every batch it recovers from disk, so this is
 * on the hot path: slicing-by-8 consumes eight bytes per step with eight lookup tables
 * instead of one byte per step with one table (several times faster in V8).
 */

const POLYNOMIAL = 0x82f63b78; // reflected 0x1EDC6F41

/** Eight 256-entry tables in one array: table k at [k * 256, k * 256 + 256). */
const TABLE = buildTables();

function buildTables(): Int32Array {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n];
    for (let k = 1; k < 8; k++) {
      c = table[c & 0xff] ^ (c >>> 8);
      table[k * 256 + n] = c;
    }
  }
  return table;
}

/**
 * CRC-32C of `buf[start, end)`.
 * @returns the checksum as an unsigned 32-bit number (as stored big-endian in a batch).
 */
export function crc32c(buf: Uint8Array, start = 0, end: number = buf.length): number {
  const t = TABLE;
  let crc = -1;
  let i = start;
  const stop8 = end - 7;
  for (; i < stop8; i += 8) {
    const lo = crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    const hi = buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
    crc =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^
      t[512 + ((hi >>> 8) & 0xff)] ^
      t[256 + ((hi >>> 16) & 0xff)] ^
      t[hi >>> 24];
  }
  for (; i < end; i++) crc = t[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
