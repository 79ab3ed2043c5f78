/**
 * Builds valid Kafka RecordBatch v2 buffers for tests (any module of the broker may use it).
 * Not for production paths: it favours clarity over speed.
 */
import { gunzipSync, gzipSync } from 'zlib';
import { crc32c } from './crc32c';
import {
  BatchAttribute,
  BatchField,
  Compression,
  RECORD_BATCH_HEADER_SIZE,
  readBatchHeader,
  writeInt64,
} from './record-batch';
import { VarintReader, varlongSize, writeVarlong } from './varint';

/** One record to put in a test batch. */
export interface TestRecord {
  key?: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: { key: string; value: Buffer | null }[];
}

/** What `buildRecordBatch` needs; omitted fields get a plain non-idempotent producer's values. */
export interface TestBatchSpec {
  baseOffset?: number;
  /** −1 (default) for a non-idempotent producer. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  records: TestRecord[];
  compression?: 'none' | 'gzip';
}

/** Encodes the records of a batch (the part after the 61-byte header). */
function encodeRecords(records: TestRecord[], baseTimestamp: number): Buffer {
  const parts: Buffer[] = [];
  records.forEach((record, offsetDelta) => {
    const key = record.key ?? null;
    const headers = (record.headers ?? []).map((h) => ({
      key: Buffer.from(h.key),
      value: h.value,
    }));
    const bodySize =
      1 +
      varlongSize(record.timestamp - baseTimestamp) +
      varlongSize(offsetDelta) +
      bytesFieldSize(key) +
      bytesFieldSize(record.value) +
      varlongSize(headers.length) +
      headers.reduce((n, h) => n + bytesFieldSize(h.key) + bytesFieldSize(h.value), 0);
    const buf = Buffer.alloc(varlongSize(bodySize) + bodySize);
    let pos = writeVarlong(buf, 0, bodySize);
    buf[pos++] = 0; // record attributes
    pos = writeVarlong(buf, pos, record.timestamp - baseTimestamp);
    pos = writeVarlong(buf, pos, offsetDelta);
    pos = writeBytesField(buf, pos, key);
    pos = writeBytesField(buf, pos, record.value);
    pos = writeVarlong(buf, pos, headers.length);
    for (const h of headers) {
      pos = writeBytesField(buf, pos, h.key);
      pos = writeBytesField(buf, pos, h.value);
    }
    parts.push(buf);
  });
  return Buffer.concat(parts);
}

function bytesFieldSize(bytes: Buffer | null): number {
  return bytes === null ? varlongSize(-1) : varlongSize(bytes.length) + bytes.length;
}

function writeBytesField(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarlong(buf, pos, -1);
  pos = writeVarlong(buf, pos, bytes.length);
  bytes.copy(buf, pos);
  return pos + bytes.length;
}

/**
 * Builds one valid v2 batch (CRC included). baseTimestamp is the first record's timestamp and
 * maxTimestamp the largest, as real producers set them. An empty `records` array gives a
 * batch with recordsCount 0 (handy to test rejection).
 */
export function buildRecordBatch(spec: TestBatchSpec): Buffer {
  const { records } = spec;
  const baseTimestamp = records.length > 0 ? records[0].timestamp : -1;
  const maxTimestamp = records.reduce((max, r) => Math.max(max, r.timestamp), -1);
  let body = encodeRecords(records, baseTimestamp);
  const gzip = spec.compression === 'gzip';
  if (gzip) body = gzipSync(body);
  const batch = Buffer.alloc(RECORD_BATCH_HEADER_SIZE + body.length);
  writeInt64(batch, BatchField.BASE_OFFSET, spec.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - 12, BatchField.BATCH_LENGTH);
  batch.writeInt32BE(-1, BatchField.PARTITION_LEADER_EPOCH);
  batch.writeInt8(2, BatchField.MAGIC);
  batch.writeInt16BE(gzip ? Compression.GZIP : Compression.NONE, BatchField.ATTRIBUTES);
  batch.writeInt32BE(records.length - 1, BatchField.LAST_OFFSET_DELTA);
  writeInt64(batch, BatchField.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, BatchField.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(batch, BatchField.PRODUCER_ID, spec.producerId ?? -1);
  batch.writeInt16BE(spec.producerEpoch ?? -1, BatchField.PRODUCER_EPOCH);
  batch.writeInt32BE(spec.baseSequence ?? -1, BatchField.BASE_SEQUENCE);
  batch.writeInt32BE(records.length, BatchField.RECORDS_COUNT);
  body.copy(batch, RECORD_BATCH_HEADER_SIZE);
  refreshBatchCrc(batch);
  return batch;
}

/** Recomputes the CRC of a batch whose CRC-covered bytes a test has edited on purpose. */
export function refreshBatchCrc(batch: Buffer): void {
  batch.writeUInt32BE(crc32c(batch, BatchField.ATTRIBUTES), BatchField.CRC);
}

/** `count` records of `valueSize` bytes each, timestamps `timestamp`, `timestamp + 1`, … */
export function testRecords(
  count: number,
  valueSize = 16,
  timestamp = 1_700_000_000_000,
): TestRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(valueSize, i % 256),
    timestamp: timestamp + i,
  }));
}

/** A record as decoded by `decodeRecordBatch`, with its absolute offset and timestamp. */
export interface DecodedTestRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/** Decodes every record of an uncompressed or gzip batch (e.g. one returned by a fetch). */
export function decodeRecordBatch(batch: Buffer): DecodedTestRecord[] {
  const header = readBatchHeader(batch, 0);
  let body = batch.subarray(RECORD_BATCH_HEADER_SIZE);
  const codec = header.attributes & BatchAttribute.COMPRESSION_MASK;
  if (codec === Compression.GZIP) body = gunzipSync(body);
  else if (codec !== Compression.NONE)
    throw new Error(`codec ${codec} not supported by the test helper`);
  const reader = new VarintReader(body);
  const readBytes = (): Buffer | null => {
    const length = reader.readVarlong();
    if (length < 0) return null;
    reader.pos += length;
    return body.subarray(reader.pos - length, reader.pos);
  };
  const records: DecodedTestRecord[] = [];
  for (let i = 0; i < header.recordsCount; i++) {
    reader.readVarlong(); // record length
    reader.readInt8(); // attributes
    const timestamp = header.baseTimestamp + reader.readVarlong();
    const offset = header.baseOffset + reader.readVarlong();
    const key = readBytes();
    const value = readBytes();
    const headers: DecodedTestRecord['headers'] = [];
    for (let h = reader.readVarlong(); h > 0; h--) {
      headers.push({ key: String(readBytes()), value: readBytes() });
    }
    records.push({ offset, timestamp, key, value, headers });
  }
  return records;
}
