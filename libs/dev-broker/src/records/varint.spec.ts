import fc from 'fast-check';
import { VarintReader, varlongSize, writeVarlong } from './varint';

describe('zig-zag varints', () => {
  it.each([
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]],
  ])('encodes %d as the protobuf bytes', (value, bytes) => {
    const buf = Buffer.alloc(10);
    expect([...buf.subarray(0, writeVarlong(buf, 0, value))]).toEqual(bytes);
  });

  it('round-trips any safe integer and reports its encoded size', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (value) => {
        const buf = Buffer.alloc(12);
        const end = writeVarlong(buf, 1, value);
        expect(end - 1).toBe(varlongSize(value));
        const reader = new VarintReader(buf, 1);
        expect(reader.readVarlong()).toBe(value);
        expect(reader.pos).toBe(end);
      }),
    );
  });

  it('throws instead of reading past the end', () => {
    expect(() => new VarintReader(Buffer.from([0x80, 0x80])).readVarlong()).toThrow(RangeError);
    expect(() => new VarintReader(Buffer.from([0x02]), 0, 0).readVarlong()).toThrow(RangeError);
  });
});
