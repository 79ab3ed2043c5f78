/**
 * Kafka RecordBatch v2 (magic 2): validation, header access and in-place offset assignment.
 * The broker stores batches exactly as produced, so it only ever looks at headers — except
 * for timestamp look-ups, which walk the records of uncompressed or gzip batches.
 */
import { gunzipSync } from 'zlib';
import { ErrorCode } from '../protocol/error-codes';
import { crc32c } from './crc32c';
import { VarintReader } from './varint';

/** Bytes before the first record of a v2 batch. */
export const RECORD_BATCH_HEADER_SIZE = 61;

/** Byte positions of the v2 header fields (big-endian). */
export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
} as const;

/** Bytes of a batch not counted by batchLength (baseOffset + batchLength itself). */
export const BATCH_LOG_OVERHEAD = 12;

/** Attribute bits. */
export const BatchAttribute = {
  COMPRESSION_MASK: 0x07,
  LOG_APPEND_TIME: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

/** Compression codec ids (attributes bits 0–2). */
export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

/** The decoded header of a v2 batch; int64 fields as numbers (< 2^53 in practice). */
export interface RecordBatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Reads a big-endian int64 as a number (exact below 2^53). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 0x1_0000_0000 + buf.readUInt32BE(pos + 4);
}

/** Writes a number as a big-endian int64. */
export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / 0x1_0000_0000);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * 0x1_0000_0000, pos + 4);
}

/** Decodes the header of the batch at `pos`; the caller guarantees 61 bytes are there. */
export function readBatchHeader(buf: Buffer, pos: number): RecordBatchHeader {
  return {
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + BatchField.BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + BatchField.PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + BatchField.MAGIC),
    crc: buf.readUInt32BE(pos + BatchField.CRC),
    attributes: buf.readInt16BE(pos + BatchField.ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + BatchField.BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + BatchField.MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + BatchField.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + BatchField.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BatchField.BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + BatchField.RECORDS_COUNT),
  };
}

/** Outcome of checking one batch: NONE and its size in bytes, or why it is not acceptable. */
export interface BatchCheck {
  errorCode: number;
  size: number;
}

/**
 * Checks the batch starting at `pos` within `buf[pos, end)`: length, magic, CRC and the
 * record count. Shared by produce validation and log recovery so both accept the same bytes.
 */
export function checkBatchAt(buf: Buffer, pos: number, end: number): BatchCheck {
  const available = end - pos;
  // Legacy message sets (magic 0/1) also keep their magic byte at offset 16.
  if (available <= BatchField.MAGIC) return fail(ErrorCode.CORRUPT_MESSAGE);
  if (buf[pos + BatchField.MAGIC] !== 2) return fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  if (available < RECORD_BATCH_HEADER_SIZE) return fail(ErrorCode.CORRUPT_MESSAGE);
  const batchLength = buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
  const size = batchLength + BATCH_LOG_OVERHEAD;
  if (size < RECORD_BATCH_HEADER_SIZE || size > available) return fail(ErrorCode.CORRUPT_MESSAGE);
  const crc = buf.readUInt32BE(pos + BatchField.CRC);
  if (crc32c(buf, pos + BatchField.ATTRIBUTES, pos + size) !== crc) {
    return fail(ErrorCode.CORRUPT_MESSAGE);
  }
  const attributes = buf.readInt16BE(pos + BatchField.ATTRIBUTES);
  const codec = attributes & BatchAttribute.COMPRESSION_MASK;
  if (codec > Compression.ZSTD) return fail(ErrorCode.CORRUPT_MESSAGE);
  const count = buf.readInt32BE(pos + BatchField.RECORDS_COUNT);
  const lastOffsetDelta = buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
  if (count <= 0 || lastOffsetDelta < 0) return fail(ErrorCode.INVALID_RECORD);
  if (codec === Compression.NONE && lastOffsetDelta !== count - 1) {
    return fail(ErrorCode.INVALID_RECORD);
  }
  return { errorCode: ErrorCode.NONE, size };
}

function fail(errorCode: number): BatchCheck {
  return { errorCode, size: 0 };
}

/**
 * Splits the `records` field of a produce request into its batches, validating each.
 * @returns subarrays of `records` (no copy), or the Kafka error code for the partition.
 */
export function splitRecordBatches(records: Buffer): { batches: Buffer[] } | { errorCode: number } {
  const batches: Buffer[] = [];
  let pos = 0;
  while (pos < records.length) {
    const check = checkBatchAt(records, pos, records.length);
    if (check.errorCode !== ErrorCode.NONE) return { errorCode: check.errorCode };
    batches.push(records.subarray(pos, pos + check.size));
    pos += check.size;
  }
  return { batches };
}

/**
 * Assigns the batch's base offset in place. baseOffset and partitionLeaderEpoch precede the
 * CRC-covered range, so the batch stays valid without recomputing the checksum.
 * @param partitionLeaderEpoch when given, also stamped (as a leader does on append).
 */
export function setBatchBaseOffset(
  batch: Buffer,
  offset: number,
  partitionLeaderEpoch?: number,
): void {
  writeInt64(batch, BatchField.BASE_OFFSET, offset);
  if (partitionLeaderEpoch !== undefined) {
    batch.writeInt32BE(partitionLeaderEpoch, BatchField.PARTITION_LEADER_EPOCH);
  }
}

/**
 * Finds the first record of `batch` whose timestamp is ≥ `timestamp`.
 * Uncompressed and gzip batches are walked record by record; other codecs (no decoder
 * among Node built-ins) answer with the batch's baseOffset and maxTimestamp, which is the
 * granularity Kafka clients tolerate for ListOffsets.
 * @returns the offset and that record's timestamp, or null when every record is older.
 */
export function firstOffsetAtOrAfterTimestamp(
  batch: Buffer,
  timestamp: number,
): { offset: number; timestamp: number } | null {
  const baseOffset = readInt64(batch, BatchField.BASE_OFFSET);
  const maxTimestamp = readInt64(batch, BatchField.MAX_TIMESTAMP);
  if (maxTimestamp < timestamp) return null;
  const batchLevel = { offset: baseOffset, timestamp: maxTimestamp };
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  // With LogAppendTime every record carries the batch's maxTimestamp.
  if (attributes & BatchAttribute.LOG_APPEND_TIME) return batchLevel;
  const codec = attributes & BatchAttribute.COMPRESSION_MASK;
  let records: Buffer;
  if (codec === Compression.NONE) records = batch.subarray(RECORD_BATCH_HEADER_SIZE);
  else if (codec === Compression.GZIP) {
    try {
      records = gunzipSync(batch.subarray(RECORD_BATCH_HEADER_SIZE));
    } catch {
      return batchLevel;
    }
  } else return batchLevel;
  const baseTimestamp = readInt64(batch, BatchField.BASE_TIMESTAMP);
  const count = batch.readInt32BE(BatchField.RECORDS_COUNT);
  try {
    const reader = new VarintReader(records);
    for (let i = 0; i < count; i++) {
      const length = reader.readVarlong();
      const next = reader.pos + length;
      reader.readInt8(); // record attributes, unused
      const recordTimestamp = baseTimestamp + reader.readVarlong();
      const offsetDelta = reader.readVarlong();
      if (recordTimestamp >= timestamp)
        return { offset: baseOffset + offsetDelta, timestamp: recordTimestamp };
      reader.pos = next;
    }
  } catch {
    // Garbled records behind a valid CRC: the batch-level answer is still sound.
    return batchLevel;
  }
  // maxTimestamp claimed a match the records do not have; trust the header.
  return batchLevel;
}
