const CHUNK = 16 * 1024;
/** Buffers at least this large are referenced, not copied (fetched record batches). */
const ZERO_COPY_THRESHOLD = 4 * 1024;

/**
 * Big-endian writer that produces a list of buffers. Small fields go into a
 * scratch chunk; large byte fields are appended by reference so a Fetch
 * response never copies the record batches it read from disk.
 */
export class Writer {
  private readonly parts: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private flushedBytes = 0;

  get length(): number {
    return this.flushedBytes + this.used;
  }

  private room(size: number): number {
    if (this.used + size > this.chunk.length) {
      this.flush();
      if (size > this.chunk.length) this.chunk = Buffer.allocUnsafe(size);
    }
    const at = this.used;
    this.used += size;
    return at;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.parts.push(this.chunk.subarray(0, this.used));
    this.flushedBytes += this.used;
    this.chunk = this.chunk.subarray(this.used);
    this.used = 0;
    if (this.chunk.length < 64) this.chunk = Buffer.allocUnsafe(CHUNK);
  }

  // Every method takes its position with `room()` BEFORE it touches `this.chunk`: `room()` may
  // replace the chunk, and in `this.chunk.write…(v, this.room(n))` JavaScript reads
  // `this.chunk` first — the field would land in the old chunk, already handed out.
  int8(value: number): this {
    const at = this.room(1);
    this.chunk.writeInt8(value, at);
    return this;
  }
  int16(value: number): this {
    const at = this.room(2);
    this.chunk.writeInt16BE(value, at);
    return this;
  }
  int32(value: number): this {
    const at = this.room(4);
    this.chunk.writeInt32BE(value, at);
    return this;
  }
  uint32(value: number): this {
    const at = this.room(4);
    this.chunk.writeUInt32BE(value >>> 0, at);
    return this;
  }
  int64(value: number): this {
    const at = this.room(8);
    const high = Math.floor(value / 0x1_0000_0000);
    this.chunk.writeInt32BE(high, at);
    this.chunk.writeUInt32BE(value - high * 0x1_0000_0000, at + 4);
    return this;
  }
  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  unsignedVarint(value: number): this {
    let rest = value;
    while (rest >= 0x80) {
      const at = this.room(1);
      this.chunk[at] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    const at = this.room(1);
    this.chunk[at] = rest;
    return this;
  }

  nullableString(value: string | null, compact: boolean): this {
    if (value === null) return compact ? this.unsignedVarint(0) : this.int16(-1);
    const length = Buffer.byteLength(value);
    if (compact) this.unsignedVarint(length + 1);
    else this.int16(length);
    const at = this.room(length);
    this.chunk.write(value, at, length, 'utf8');
    return this;
  }

  nullableBytes(value: Buffer | null, compact: boolean): this {
    if (value === null) return compact ? this.unsignedVarint(0) : this.int32(-1);
    if (compact) this.unsignedVarint(value.length + 1);
    else this.int32(value.length);
    return this.raw(value);
  }

  arrayLength(length: number | null, compact: boolean): this {
    if (length === null) return compact ? this.unsignedVarint(0) : this.int32(-1);
    return compact ? this.unsignedVarint(length + 1) : this.int32(length);
  }

  /** No tagged fields are ever sent; flexible versions still need the empty count. */
  emptyTaggedFields(): this {
    return this.unsignedVarint(0);
  }

  raw(value: Buffer): this {
    if (value.length >= ZERO_COPY_THRESHOLD) {
      this.flush();
      this.parts.push(value);
      this.flushedBytes += value.length;
    } else {
      const at = this.room(value.length);
      value.copy(this.chunk, at);
    }
    return this;
  }

  /** The written bytes as a list of buffers, in order. */
  toBuffers(): Buffer[] {
    this.flush();
    return this.parts;
  }
}
