import { Writer } from './writer';

/** The same fields written the plain way, one growing byte array, to compare with. */
class ReferenceWriter {
  readonly bytes: number[] = [];
  private fixed(size: number, write: (buffer: Buffer) => void): void {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.bytes.push(...buffer);
  }
  int8(v: number) {
    this.fixed(1, (b) => b.writeInt8(v));
  }
  int16(v: number) {
    this.fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number) {
    this.fixed(4, (b) => b.writeInt32BE(v));
  }
  int64(v: number) {
    this.fixed(8, (b) => b.writeBigInt64BE(BigInt(v)));
  }
  unsignedVarint(v: number) {
    let rest = v;
    while (rest >= 0x80) {
      this.bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.bytes.push(rest);
  }
  string(v: string) {
    this.int16(Buffer.byteLength(v));
    this.bytes.push(...Buffer.from(v));
  }
  bytesField(v: Buffer) {
    this.int32(v.length);
    this.bytes.push(...v);
  }
}

/** A small deterministic generator, so a failure names a reproducible seed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return (below: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

describe('Writer', () => {
  it.each([1, 2, 3, 4])(
    'writes every field whole and in order across chunk boundaries (seed %i)',
    (seed) => {
      const next = random(seed);
      const writer = new Writer();
      const reference = new ReferenceWriter();
      // About 200 KB of small fields: a dozen 16 KiB scratch chunks, so fields of every kind
      // straddle a chunk's end; now and then a large byte field, referenced rather than copied.
      for (let field = 0; field < 20_000; field += 1) {
        switch (next(100) === 0 ? 7 : next(7)) {
          case 0: {
            const v = next(256) - 128;
            writer.int8(v);
            reference.int8(v);
            break;
          }
          case 1: {
            const v = next(65_536) - 32_768;
            writer.int16(v);
            reference.int16(v);
            break;
          }
          case 2: {
            const v = next(2 ** 31) - 2 ** 30;
            writer.int32(v);
            reference.int32(v);
            break;
          }
          case 3: {
            const v = next(2 ** 31) * 1024 + next(1024);
            writer.int64(v);
            reference.int64(v);
            break;
          }
          case 4: {
            const v = next(2 ** 28);
            writer.unsignedVarint(v);
            reference.unsignedVarint(v);
            break;
          }
          case 5: {
            const v = 'x'.repeat(next(40)) + 'é';
            writer.nullableString(v, false);
            reference.string(v);
            break;
          }
          case 6: {
            const v = Buffer.alloc(next(200), next(256)); // copied into the scratch chunk
            writer.nullableBytes(v, false);
            reference.bytesField(v);
            break;
          }
          default: {
            // At or above the zero-copy threshold (4 KiB): referenced, not copied.
            const v = Buffer.alloc(4_096 + next(6_000), next(256));
            writer.nullableBytes(v, false);
            reference.bytesField(v);
          }
        }
      }
      const written = Buffer.concat(writer.toBuffers());
      expect(written.length).toBe(reference.bytes.length);
      expect(written.equals(Buffer.from(reference.bytes))).toBe(true);
    },
  );
});
