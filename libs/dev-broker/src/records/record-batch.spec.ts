import { ErrorCode } from '../protocol/error-codes';
import {
  BatchField,
  firstOffsetAtOrAfterTimestamp,
  readBatchHeader,
  setBatchBaseOffset,
  splitRecordBatches,
} from './record-batch';
import {
  buildRecordBatch,
  decodeRecordBatch,
  refreshBatchCrc,
  testRecords,
} from './record-batch.test-helper';

// kafkajs ships no types for its protocol internals; they serve as an independent codec.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');

const T0 = 1_700_000_000_000;

function expectError(result: ReturnType<typeof splitRecordBatches>, errorCode: number): void {
  expect(result).toEqual({ errorCode });
}

describe('splitRecordBatches', () => {
  it('returns each batch of a concatenation as a view on the input, without copying', () => {
    const a = buildRecordBatch({ records: testRecords(3) });
    const b = buildRecordBatch({ records: testRecords(1), compression: 'gzip' });
    const input = Buffer.concat([a, b]);
    const result = splitRecordBatches(input);
    if (!('batches' in result)) throw new Error(`unexpected error ${result.errorCode}`);
    expect(result.batches.map((x) => x.length)).toEqual([a.length, b.length]);
    expect(result.batches[1].equals(b)).toBe(true);
    input[a.length + 30] ^= 1;
    expect(result.batches[1][30]).toBe(input[a.length + 30]);
  });

  it('accepts a batch encoded by kafkajs (same layout and CRC)', async () => {
    const records = [0, 1].map((i) =>
      kafkajsRecord({
        offsetDelta: i,
        timestampDelta: i,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
      }),
    );
    const encoded = await kafkajsRecordBatch({
      firstTimestamp: T0,
      maxTimestamp: T0 + 1,
      lastOffsetDelta: 1,
      records,
    });
    const buf: Buffer = encoded.buffer;
    const result = splitRecordBatches(buf);
    expect(result).toEqual({ batches: [buf] });
    expect(decodeRecordBatch(buf).map((r) => String(r.value))).toEqual(['v0', 'v1']);
  });

  it('builds batches that kafkajs decodes to the same records', async () => {
    const batch = buildRecordBatch({
      baseOffset: 7,
      records: [
        {
          key: Buffer.from('a'),
          value: Buffer.from('one'),
          timestamp: T0,
          headers: [{ key: 'h', value: Buffer.from('x') }],
        },
        { key: null, value: null, timestamp: T0 + 5 },
      ],
    });
    const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(batch));
    expect(
      decoded.records.map((r: { offset: string; key: Buffer | null; value: Buffer | null }) => [
        r.offset,
        r.key && String(r.key),
        r.value && String(r.value),
      ]),
    ).toEqual([
      ['7', 'a', 'one'],
      ['8', null, null],
    ]);
    expect(String(decoded.records[0].headers.h)).toBe('x');
  });

  it('rejects a batch whose bytes changed after the CRC was computed', () => {
    const batch = buildRecordBatch({ records: testRecords(2) });
    batch[batch.length - 3] ^= 0xff;
    expectError(splitRecordBatches(batch), ErrorCode.CORRUPT_MESSAGE);
  });

  it.each([
    ['a truncated batch', (b: Buffer) => b.subarray(0, b.length - 1)],
    ['a header cut short', (b: Buffer) => b.subarray(0, 40)],
    ['trailing partial bytes', (b: Buffer) => Buffer.concat([b, b.subarray(0, 20)])],
    [
      'a batchLength larger than the input',
      (b: Buffer) => (b.writeInt32BE(1_000_000, BatchField.BATCH_LENGTH), b),
    ],
    [
      'a batchLength smaller than a header',
      (b: Buffer) => (b.writeInt32BE(10, BatchField.BATCH_LENGTH), b),
    ],
  ])('rejects %s as CORRUPT_MESSAGE', (_name, mangle) => {
    expectError(
      splitRecordBatches(mangle(buildRecordBatch({ records: testRecords(2) }))),
      ErrorCode.CORRUPT_MESSAGE,
    );
  });

  it('rejects a legacy message set (magic 1) as UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    const batch = buildRecordBatch({ records: testRecords(1) });
    batch.writeInt8(1, BatchField.MAGIC);
    expectError(splitRecordBatches(batch), ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  });

  it('rejects an empty batch as INVALID_RECORD', () => {
    expectError(splitRecordBatches(buildRecordBatch({ records: [] })), ErrorCode.INVALID_RECORD);
  });

  it('rejects an uncompressed batch whose lastOffsetDelta disagrees with its count', () => {
    const batch = buildRecordBatch({ records: testRecords(3) });
    batch.writeInt32BE(5, BatchField.LAST_OFFSET_DELTA);
    refreshBatchCrc(batch);
    expectError(splitRecordBatches(batch), ErrorCode.INVALID_RECORD);
  });

  it('returns no batches for empty input', () => {
    expect(splitRecordBatches(Buffer.alloc(0))).toEqual({ batches: [] });
  });
});

describe('readBatchHeader and setBatchBaseOffset', () => {
  it('decodes every header field', () => {
    const batch = buildRecordBatch({
      baseOffset: 42,
      producerId: 9_000_000_000,
      producerEpoch: 3,
      baseSequence: 17,
      records: testRecords(4, 8, T0),
    });
    expect(readBatchHeader(Buffer.concat([Buffer.alloc(5), batch]), 5)).toEqual({
      baseOffset: 42,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: batch.readUInt32BE(BatchField.CRC),
      attributes: 0,
      lastOffsetDelta: 3,
      baseTimestamp: T0,
      maxTimestamp: T0 + 3,
      producerId: 9_000_000_000,
      producerEpoch: 3,
      baseSequence: 17,
      recordsCount: 4,
    });
  });

  it('rewrites the base offset (beyond 32 bits) and leader epoch while the CRC stays valid', () => {
    const batch = buildRecordBatch({ records: testRecords(2) });
    setBatchBaseOffset(batch, 2 ** 40 + 5, 0);
    expect(readBatchHeader(batch, 0)).toMatchObject({
      baseOffset: 2 ** 40 + 5,
      partitionLeaderEpoch: 0,
    });
    expect(splitRecordBatches(batch)).toEqual({ batches: [batch] });
    expect(decodeRecordBatch(batch).map((r) => r.offset)).toEqual([2 ** 40 + 5, 2 ** 40 + 6]);
  });
});

describe('firstOffsetAtOrAfterTimestamp', () => {
  const timestamps = [T0 + 10, T0 + 5, T0 + 20, T0 + 30];
  const records = timestamps.map((timestamp) => ({ value: Buffer.from('v'), timestamp }));

  it.each(['none', 'gzip'] as const)('walks the records of a %s batch', (compression) => {
    const batch = buildRecordBatch({ baseOffset: 100, records, compression });
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 20)).toEqual({
      offset: 102,
      timestamp: T0 + 20,
    });
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 21)).toEqual({
      offset: 103,
      timestamp: T0 + 30,
    });
    // Out-of-order timestamps: the first record in offset order that qualifies wins.
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 6)).toEqual({
      offset: 100,
      timestamp: T0 + 10,
    });
    expect(firstOffsetAtOrAfterTimestamp(batch, 0)).toEqual({ offset: 100, timestamp: T0 + 10 });
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 31)).toBeNull();
  });

  it('answers at batch granularity for codecs it cannot decode', () => {
    const batch = buildRecordBatch({ baseOffset: 100, records });
    batch.writeInt16BE(2, BatchField.ATTRIBUTES); // snappy
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 21)).toEqual({
      offset: 100,
      timestamp: T0 + 30,
    });
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 31)).toBeNull();
  });

  it('uses maxTimestamp for every record of a LogAppendTime batch', () => {
    const batch = buildRecordBatch({ baseOffset: 100, records });
    batch.writeInt16BE(0x08, BatchField.ATTRIBUTES);
    expect(firstOffsetAtOrAfterTimestamp(batch, T0 + 1)).toEqual({
      offset: 100,
      timestamp: T0 + 30,
    });
  });
});
