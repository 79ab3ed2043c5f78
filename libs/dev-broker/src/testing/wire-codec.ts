/**
 * Just enough of the Kafka primitive types to hand-build requests and read answers in
 * robustness tests. Written independently of the broker's codec on purpose: a shared
 * codec would agree with itself even where both were wrong.
 */
export class WireWriter {
  private readonly chunks: Buffer[] = [];

  int8(value: number): this {
    return this.push(Buffer.from([value & 0xff]));
  }

  int16(value: number): this {
    const buf = Buffer.alloc(2);
    buf.writeInt16BE(value);
    return this.push(buf);
  }

  int32(value: number): this {
    const buf = Buffer.alloc(4);
    buf.writeInt32BE(value);
    return this.push(buf);
  }

  /** STRING / NULLABLE_STRING: int16 length (-1 for null) then UTF-8 bytes. */
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }

  unsignedVarint(value: number): this {
    const bytes: number[] = [];
    let rest = value >>> 0;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    return this.push(Buffer.from(bytes));
  }

  /** COMPACT_STRING: unsigned varint (length + 1) then UTF-8 bytes. */
  compactString(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.unsignedVarint(bytes.length + 1).push(bytes);
  }

  /** An empty tagged-field section, as flexible versions require. */
  emptyTaggedFields(): this {
    return this.unsignedVarint(0);
  }

  raw(bytes: Buffer): this {
    return this.push(bytes);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(buf: Buffer): this {
    this.chunks.push(buf);
    return this;
  }
}

export class WireReader {
  private position = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.position;
  }

  int16(): number {
    const value = this.buf.readInt16BE(this.position);
    this.position += 2;
    return value;
  }

  int32(): number {
    const value = this.buf.readInt32BE(this.position);
    this.position += 4;
    return value;
  }

  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buf.readUInt8(this.position++);
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new Error('unsigned varint longer than 5 bytes');
  }

  /** Skips a tagged-field section, returning how many fields it held. */
  skipTaggedFields(): number {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint(); // tag
      const size = this.unsignedVarint();
      this.position += size;
    }
    return count;
  }
}
