import type { OffsetCommitEntry } from './group-api.types';
import { assertNever } from './group-state-table';

/** A committed offset as stored. */
export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

/** Live offsets: group → topic → partition → committed offset. */
export type OffsetTable = Map<string, Map<string, Map<number, CommittedOffset>>>;

/**
 * One line of `consumer-offsets.log`. A whole OffsetCommit is one line, so a torn write loses
 * the entire commit rather than part of it; deletes are tombstone lines.
 */
export type OffsetLogRecord =
  | { op: 'commit'; group: string; offsets: OffsetCommitEntry[] }
  | { op: 'deleteGroup'; group: string }
  | { op: 'deleteTopic'; topic: string };

/** Serializes a record as one JSON line, newline included. */
export function encodeRecord(record: OffsetLogRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Parses one line; null for anything that is not a well-formed record (corruption). */
export function decodeRecord(line: string): OffsetLogRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  switch (record.op) {
    case 'commit':
      return typeof record.group === 'string' &&
        Array.isArray(record.offsets) &&
        record.offsets.every(isCommitEntry)
        ? (record as OffsetLogRecord)
        : null;
    case 'deleteGroup':
      return typeof record.group === 'string' ? (record as OffsetLogRecord) : null;
    case 'deleteTopic':
      return typeof record.topic === 'string' ? (record as OffsetLogRecord) : null;
    default:
      return null;
  }
}

/** Applies a record to the live table; groups left without offsets disappear. */
export function applyRecord(table: OffsetTable, record: OffsetLogRecord): void {
  switch (record.op) {
    case 'commit': {
      let topics = table.get(record.group);
      if (topics === undefined) table.set(record.group, (topics = new Map()));
      for (const entry of record.offsets) {
        let partitions = topics.get(entry.topic);
        if (partitions === undefined) topics.set(entry.topic, (partitions = new Map()));
        partitions.set(entry.partition, { offset: entry.offset, metadata: entry.metadata });
      }
      return;
    }
    case 'deleteGroup':
      table.delete(record.group);
      return;
    case 'deleteTopic':
      for (const [group, topics] of table) {
        topics.delete(record.topic);
        if (topics.size === 0) table.delete(group);
      }
      return;
    default:
      assertNever(record);
  }
}

/** How many lines' worth of entries a record holds: compaction compares this to live entries. */
export function recordWeight(record: OffsetLogRecord): number {
  return record.op === 'commit' ? record.offsets.length : 1;
}

/** Number of live partition offsets in the table. */
export function countEntries(table: OffsetTable): number {
  let count = 0;
  for (const topics of table.values()) {
    for (const partitions of topics.values()) count += partitions.size;
  }
  return count;
}

/** The shortest record list that rebuilds the table: one commit line per group. */
export function compactRecords(table: OffsetTable): OffsetLogRecord[] {
  return [...table].map(([group, topics]) => ({
    op: 'commit' as const,
    group,
    offsets: [...topics].flatMap(([topic, partitions]) =>
      [...partitions].map(([partition, c]) => ({
        topic,
        partition,
        offset: c.offset,
        metadata: c.metadata,
      })),
    ),
  }));
}

function isCommitEntry(value: unknown): value is OffsetCommitEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.topic === 'string' &&
    Number.isInteger(entry.partition) &&
    typeof entry.offset === 'number' &&
    Number.isFinite(entry.offset) &&
    (entry.metadata === null || typeof entry.metadata === 'string')
  );
}
