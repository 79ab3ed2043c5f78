import fc from 'fast-check';
import { crc32c } from './crc32c';

/** Bit-at-a-time reference, independent of the sliced tables. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it.each([
    ['123456789', Buffer.from('123456789'), 0xe3069283],
    ['empty input', Buffer.alloc(0), 0],
    // RFC 3720 (iSCSI) appendix B.4 vectors
    ['32 zero bytes', Buffer.alloc(32, 0x00), 0x8a9136aa],
    ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['32 ascending bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['32 descending bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ])('matches the known vector for %s', (_name, input, expected) => {
    expect(crc32c(input)).toBe(expected);
  });

  it('checksums only the [start, end) range', () => {
    const framed = Buffer.concat([Buffer.from('xx'), Buffer.from('123456789'), Buffer.from('yyy')]);
    expect(crc32c(framed, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with a bit-wise reference for any bytes, lengths and alignments', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, skip) => {
        const framed = Buffer.concat([Buffer.alloc(skip), Buffer.from(bytes)]);
        expect(crc32c(framed, skip)).toBe(referenceCrc32c(bytes));
      }),
    );
  });
});
