/**
 * Zig-zag variable-length integers as used inside Kafka records (protobuf style).
 *
 * Values are JS numbers: Kafka's varlongs (timestamp deltas) fit in 53 bits in practice,
 * and arithmetic on numbers avoids BigInt on the per-record path.
 */

const TWO_POW_7 = 128;

/** Sequential reader over a buffer; `pos` advances past each value read. */
export class VarintReader {
  /** @param buf bytes to read. @param pos where the next value starts. @param end read limit. */
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end: number = buf.length,
  ) {}

  /**
   * Reads a zig-zag varint or varlong (up to 10 bytes).
   * @throws RangeError when the value runs past `end` or is longer than 10 bytes.
   */
  readVarlong(): number {
    let raw = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('varint runs past the end of the buffer');
      const b = this.buf[this.pos++];
      raw += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      scale *= TWO_POW_7;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** Reads one byte as a signed int8. */
  readInt8(): number {
    if (this.pos >= this.end) throw new RangeError('int8 runs past the end of the buffer');
    const b = this.buf[this.pos++];
    return b > 127 ? b - 256 : b;
  }
}

/** Bytes needed to encode `value` as a zig-zag varint/varlong. */
export function varlongSize(value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (raw >= TWO_POW_7) {
    raw = Math.floor(raw / TWO_POW_7);
    size++;
  }
  return size;
}

/**
 * Writes `value` as a zig-zag varint/varlong at `pos`.
 * @returns the position after the last byte written.
 */
export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  while (raw >= TWO_POW_7) {
    buf[pos++] = (raw % TWO_POW_7) | 0x80;
    raw = Math.floor(raw / TWO_POW_7);
  }
  buf[pos++] = raw;
  return pos;
}
