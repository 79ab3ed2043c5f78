/**
 * Shared fixtures for the storage specs: throwaway data directories and quick batches.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildRecordBatch, TestBatchSpec, testRecords } from '../records/record-batch.test-helper';
import { LogOptions } from './partition-log.types';

/** Generous defaults: nothing rolls or expires unless a test asks for it. */
export const TEST_LOG_OPTIONS: LogOptions = {
  segmentBytes: 1 << 30,
  retentionBytes: -1,
  retentionMs: -1,
  fsync: false,
};

/** A fresh directory under the OS temp dir; `remove` deletes it. */
export function makeTempDir(prefix = 'dev-broker-storage-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A batch of `count` records (values of `valueSize` bytes) with optional producer fields. */
export function batchOf(
  count: number,
  options: Omit<TestBatchSpec, 'records'> & { valueSize?: number; timestamp?: number } = {},
): Buffer {
  const { valueSize, timestamp, ...spec } = options;
  return buildRecordBatch({ ...spec, records: testRecords(count, valueSize, timestamp) });
}

/** An idempotent producer's batch: `count` records starting at sequence `baseSequence`. */
export function sequencedBatch(
  producerId: number,
  producerEpoch: number,
  baseSequence: number,
  count = 1,
): Buffer {
  return batchOf(count, { producerId, producerEpoch, baseSequence });
}
