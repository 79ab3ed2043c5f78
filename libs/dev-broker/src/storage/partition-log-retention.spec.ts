import { readdirSync } from 'fs';
import { join } from 'path';
import { ErrorCode } from '../protocol/error-codes';
import { buildRecordBatch } from '../records/record-batch.test-helper';
import { LogOptions } from './partition-log.types';
import { PartitionLog } from './partition-log';
import { batchOf, makeTempDir, TEST_LOG_OPTIONS } from './storage.test-helper';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

describe('PartitionLog retention and time look-ups', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const logs: PartitionLog[] = [];
  const open = (options: Partial<LogOptions> = {}): PartitionLog => {
    const log = PartitionLog.open(tmp.path, 'events', 0, { ...TEST_LOG_OPTIONS, ...options });
    logs.push(log);
    return log;
  };
  const segmentFiles = (): string[] => readdirSync(join(tmp.path, 'topics', 'events', '0')).sort();
  const size = batchOf(10).length;

  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => {
    logs.splice(0).forEach((log) => log.close());
    tmp.remove();
  });

  describe('applyRetention', () => {
    it('deletes the oldest segments while the log exceeds retentionBytes', () => {
      const log = open({ segmentBytes: size, retentionBytes: 2 * size });
      for (let i = 0; i < 5; i++) log.append([batchOf(10)], T0); // five segments of one batch
      expect(log.applyRetention(T0)).toBe(3 * size);
      expect([log.logStartOffset, log.highWatermark, log.sizeBytes]).toEqual([30, 50, 2 * size]);
      expect(segmentFiles()).toEqual(['00000000000000000030.log', '00000000000000000040.log']);
      expect(log.read(29, 1 << 20).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect(log.read(30, 1 << 20).errorCode).toBe(ErrorCode.NONE);
      expect(log.applyRetention(T0)).toBe(0);
    });

    it('never deletes the active segment', () => {
      const log = open({ retentionBytes: 0, retentionMs: 0 });
      log.append([batchOf(10), batchOf(10)], T0);
      expect(log.applyRetention(T0 + HOUR)).toBe(0);
      expect(log.logStartOffset).toBe(0);
    });

    it('deletes segments whose newest record is older than retentionMs', () => {
      const log = open({ segmentBytes: size, retentionMs: HOUR });
      log.append([batchOf(10, { timestamp: T0 })], T0);
      log.append([batchOf(10, { timestamp: T0 + HOUR })], T0);
      log.append([batchOf(10, { timestamp: T0 + 2 * HOUR })], T0);
      // Records of a batch are T0 … T0 + 9: the first segment's newest is T0 + 9.
      expect(log.applyRetention(T0 + HOUR + 9)).toBe(0); // exactly retentionMs old: kept
      expect(log.applyRetention(T0 + HOUR + 10)).toBe(size);
      expect(log.logStartOffset).toBe(10);
      expect(log.applyRetention(T0 + 10 * HOUR)).toBe(size);
      expect([log.logStartOffset, segmentFiles()]).toEqual([20, ['00000000000000000020.log']]);
    });

    it('keeps everything when retention is unlimited', () => {
      const log = open({ segmentBytes: size });
      for (let i = 0; i < 3; i++) log.append([batchOf(10, { timestamp: 0 })], T0);
      expect(log.applyRetention(T0 + 1000 * HOUR)).toBe(0);
      expect(log.sizeBytes).toBe(3 * size);
    });

    it('keeps the advanced log start offset across reopen', () => {
      const log = open({ segmentBytes: size, retentionBytes: size });
      for (let i = 0; i < 3; i++) log.append([batchOf(10)], T0);
      log.applyRetention(T0);
      log.close();
      const reopened = open();
      expect([reopened.logStartOffset, reopened.highWatermark]).toEqual([20, 30]);
      expect(reopened.read(0, 100).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    });
  });

  describe('offsetForTimestamp', () => {
    const records = (...timestamps: number[]) =>
      timestamps.map((timestamp) => ({ value: Buffer.from('x'), timestamp }));

    it('finds exact, in-between and past-the-end timestamps across segments', () => {
      const log = open({ segmentBytes: 1 });
      log.append([buildRecordBatch({ records: records(T0, T0 + 10, T0 + 20) })], T0); // 0–2
      log.append(
        [buildRecordBatch({ records: records(T0 + 30, T0 + 40), compression: 'gzip' })],
        T0,
      ); // 3–4
      expect(log.offsetForTimestamp(T0 + 10)).toEqual({ offset: 1, timestamp: T0 + 10 });
      expect(log.offsetForTimestamp(T0 + 11)).toEqual({ offset: 2, timestamp: T0 + 20 });
      expect(log.offsetForTimestamp(T0 + 21)).toEqual({ offset: 3, timestamp: T0 + 30 });
      expect(log.offsetForTimestamp(T0 + 35)).toEqual({ offset: 4, timestamp: T0 + 40 });
      expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: T0 });
      expect(log.offsetForTimestamp(T0 + 41)).toBeNull();
    });

    it('returns the earliest offset even when timestamps go backwards', () => {
      const log = open();
      // Batch maxTimestamps 10, 300, 50, 200: not sorted, so no binary search is sound.
      for (const ts of [10, 300, 50, 200])
        log.append([buildRecordBatch({ records: records(T0 + ts) })], T0);
      expect(log.offsetForTimestamp(T0 + 100)).toEqual({ offset: 1, timestamp: T0 + 300 });
      expect(log.offsetForTimestamp(T0 + 40)).toEqual({ offset: 1, timestamp: T0 + 300 });
      expect(log.offsetForTimestamp(T0 + 5)).toEqual({ offset: 0, timestamp: T0 + 10 });
      expect(log.offsetForTimestamp(T0 + 301)).toBeNull();
    });

    it('only considers records still in the log', () => {
      const log = open({ segmentBytes: 1, retentionBytes: 1 });
      log.append([buildRecordBatch({ records: records(T0) })], T0);
      log.append([buildRecordBatch({ records: records(T0 + 10) })], T0);
      log.applyRetention(T0);
      expect(log.offsetForTimestamp(T0)).toEqual({ offset: 1, timestamp: T0 + 10 });
    });
  });
});
