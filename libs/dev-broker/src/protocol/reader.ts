/** Thrown when a frame ends before the field being read; the connection is then closed. */
export class MalformedFrameError extends Error {}

/**
 * Sequential big-endian reader over one request frame. Variable-length fields
 * return subarrays of the frame (no copies), so record batches reach storage
 * without being duplicated.
 */
export class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private take(size: number): number {
    const at = this.offset;
    if (size < 0 || at + size > this.buf.length) {
      throw new MalformedFrameError(`frame truncated: needed ${size} bytes at ${at}`);
    }
    this.offset = at + size;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  /** int64 as a JS number: offsets, timestamps and producer ids stay far below 2^53. */
  int64(): number {
    const at = this.take(8);
    return this.buf.readInt32BE(at) * 0x1_0000_0000 + this.buf.readUInt32BE(at + 4);
  }
  boolean(): boolean {
    return this.int8() !== 0;
  }
  uuid(): Buffer {
    return this.buf.subarray(this.take(16), this.offset);
  }

  unsignedVarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf[this.take(1)];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new MalformedFrameError('varint longer than 5 bytes');
  }

  nullableString(): string | null {
    return this.text(this.int16());
  }
  compactNullableString(): string | null {
    return this.text(this.unsignedVarint() - 1);
  }
  nullableBytes(): Buffer | null {
    return this.blob(this.int32());
  }
  compactNullableBytes(): Buffer | null {
    return this.blob(this.unsignedVarint() - 1);
  }
  /** Array length: -1 stands for a null array. */
  arrayLength(compact: boolean): number {
    const length = compact ? this.unsignedVarint() - 1 : this.int32();
    if (length > this.remaining) throw new MalformedFrameError(`array of ${length} exceeds frame`);
    return length;
  }

  /** Tagged fields (flexible versions): none are understood here, so all are skipped. */
  skipTaggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      this.take(this.unsignedVarint());
    }
  }

  private text(length: number): string | null {
    if (length < 0) return null;
    const at = this.take(length);
    return this.buf.toString('utf8', at, at + length);
  }
  private blob(length: number): Buffer | null {
    if (length < 0) return null;
    const at = this.take(length);
    return this.buf.subarray(at, at + length);
  }
}
