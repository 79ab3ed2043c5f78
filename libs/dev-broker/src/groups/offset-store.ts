import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OffsetCommitEntry } from './group-api.types';
import {
  applyRecord,
  compactRecords,
  countEntries,
  decodeRecord,
  encodeRecord,
  recordWeight,
  type CommittedOffset,
  type OffsetLogRecord,
  type OffsetTable,
} from './offset-log-format';

export type { CommittedOffset } from './offset-log-format';

/** File name of the offsets log inside the data directory. */
export const OFFSETS_LOG_FILE = 'consumer-offsets.log';

/** How an {@link OffsetStore} writes. */
export interface OffsetStoreOptions {
  /** fdatasync after every write: survives power loss, not only `kill -9`. */
  fsync: boolean;
  /** Never compact a log holding fewer records than this (default 1000). */
  compactionMinRecords?: number;
}

/** What opening the store found in the log, for the broker to report. */
export interface OffsetLogRecovery {
  records: number;
  skippedLines: number;
  tornBytes: number;
}

/** Offsets of one group: topic → partition → committed offset. */
export type GroupOffsets = ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>>;

// Compaction rewrites the live entries, so letting the log reach a few times their number keeps
// the rewrite cost amortised over many appends.
const COMPACTION_RATIO = 4;
const DEFAULT_COMPACTION_MIN_RECORDS = 1000;
const NO_OFFSETS: GroupOffsets = new Map();

/**
 * Durable committed offsets: an append-only JSON-lines file written synchronously before
 * `commit()` returns, so an acknowledged commit survives `kill -9`. On open the log is replayed
 * (a torn last line is cut off) and rewritten compacted when mostly obsolete.
 */
export class OffsetStore {
  private fd: number | null;

  private constructor(
    private readonly file: string,
    private readonly options: OffsetStoreOptions,
    private readonly table: OffsetTable,
    private writtenRecords: number,
    /** What replaying the log at open found. */
    readonly recovery: OffsetLogRecovery,
  ) {
    this.fd = fs.openSync(file, 'a');
  }

  /** Opens (creating if needed) `<dataDir>/consumer-offsets.log` and replays it. */
  static open(dataDir: string, options: OffsetStoreOptions): OffsetStore {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, OFFSETS_LOG_FILE);
    // A leftover from a compaction that crashed before its rename; the log itself is intact.
    fs.rmSync(`${file}.tmp`, { force: true });
    const { table, records, recovery } = replay(file);
    // Cut the torn tail, or the next append would be glued to it and be unreadable too.
    if (recovery.tornBytes > 0) fs.truncateSync(file, fs.statSync(file).size - recovery.tornBytes);
    const store = new OffsetStore(file, options, table, records, recovery);
    store.maybeCompact();
    return store;
  }

  /** Durably records committed offsets (the last entry wins for a repeated partition). */
  commit(groupId: string, entries: readonly OffsetCommitEntry[]): void {
    if (entries.length === 0) return;
    const offsets = entries.map((e) => ({
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      metadata: e.metadata,
    }));
    this.append({ op: 'commit', group: groupId, offsets });
  }

  /** Committed offsets of a group; empty when it has none. */
  get(groupId: string): GroupOffsets {
    return this.table.get(groupId) ?? NO_OFFSETS;
  }

  /** Groups that have at least one committed offset. */
  groups(): string[] {
    return [...this.table.keys()];
  }

  /** Durably forgets every offset of a group. */
  deleteGroup(groupId: string): void {
    if (this.table.has(groupId)) this.append({ op: 'deleteGroup', group: groupId });
  }

  /** Durably forgets every group's offsets for a deleted topic. */
  deleteTopic(topic: string): void {
    const used = [...this.table.values()].some((topics) => topics.has(topic));
    if (used) this.append({ op: 'deleteTopic', topic });
  }

  /** Closes the file; the store cannot be used afterwards. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private append(record: OffsetLogRecord): void {
    writeFully(this.openFd(), encodeRecord(record), this.options.fsync);
    // Memory follows the file only once the write succeeded, so a failed commit is not visible.
    applyRecord(this.table, record);
    this.writtenRecords += recordWeight(record);
    this.maybeCompact();
  }

  private maybeCompact(): void {
    const minRecords = this.options.compactionMinRecords ?? DEFAULT_COMPACTION_MIN_RECORDS;
    const live = countEntries(this.table);
    if (this.writtenRecords < minRecords || this.writtenRecords <= COMPACTION_RATIO * live) return;
    const tmp = `${this.file}.tmp`;
    const tmpFd = fs.openSync(tmp, 'w');
    try {
      writeFully(tmpFd, compactRecords(this.table).map(encodeRecord).join(''), this.options.fsync);
    } finally {
      fs.closeSync(tmpFd);
    }
    // rename is atomic: a crash leaves either the old log or the compacted one, never a mix.
    fs.renameSync(tmp, this.file);
    if (this.options.fsync) syncDirectory(path.dirname(this.file));
    fs.closeSync(this.openFd());
    this.fd = fs.openSync(this.file, 'a');
    this.writtenRecords = live;
  }

  private openFd(): number {
    if (this.fd === null) throw new Error('OffsetStore is closed');
    return this.fd;
  }
}

function replay(file: string): {
  table: OffsetTable;
  records: number;
  recovery: OffsetLogRecovery;
} {
  const table: OffsetTable = new Map();
  const recovery: OffsetLogRecovery = { records: 0, skippedLines: 0, tornBytes: 0 };
  if (!fs.existsSync(file)) return { table, records: 0, recovery };
  const bytes = fs.readFileSync(file);
  // Only newline-terminated lines were fully written; anything after the last one is torn.
  const complete = bytes.lastIndexOf(0x0a) + 1;
  recovery.tornBytes = bytes.length - complete;
  let records = 0;
  for (const line of bytes.subarray(0, complete).toString('utf8').split('\n')) {
    if (line === '') continue;
    const record = decodeRecord(line);
    if (record === null) {
      recovery.skippedLines += 1;
      continue;
    }
    applyRecord(table, record);
    recovery.records += 1;
    records += recordWeight(record);
  }
  return { table, records, recovery };
}

function writeFully(fd: number, text: string, fsync: boolean): void {
  const buffer = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < buffer.length) {
    written += fs.writeSync(fd, buffer, written, buffer.length - written);
  }
  if (fsync) fs.fdatasyncSync(fd);
}

function syncDirectory(dir: string): void {
  // Windows cannot open a directory for fsync; its rename is durable enough for a dev broker.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
