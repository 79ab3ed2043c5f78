/**
 * The log of one topic-partition: a sequence of segment files under
 * `<dataDir>/topics/<topic>/<partition>/`, an in-memory index of every batch, and the
 * idempotent-producer state rebuilt from the log on open.
 */
import { rmSync } from 'fs';
import { join } from 'path';
import { ErrorCode } from '../protocol/error-codes';
import {
  firstOffsetAtOrAfterTimestamp,
  readBatchHeader,
  RecordBatchHeader,
  setBatchBaseOffset,
} from '../records/record-batch';
import { AppendResult, LogOptions, ReadResult } from './partition-log.types';
import { syncDirectory } from './atomic-file';
import { LogSegment } from './log-segment';
import { ProducerStateTable } from './producer-state';
import { recoverPartition } from './partition-recovery';

export type { AppendResult, LogOptions, ReadResult } from './partition-log.types';

/** Leader epoch stamped on appended batches: a single-node log never changes leader. */
const LEADER_EPOCH = 0;

/** One topic-partition's log. */
export class PartitionLog {
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private nextOffset: number;
  private bytes: number;

  private constructor(
    /** Directory holding this partition's segment files. */
    readonly dir: string,
    private readonly options: LogOptions,
    private readonly segments: LogSegment[],
    private readonly producers: ProducerStateTable,
    /** What recovery cut off when the log was opened, for the caller to log. */
    readonly recovery: { truncatedBytes: number },
  ) {
    this.nextOffset = segments.at(-1)?.nextOffset ?? 0;
    this.bytes = segments.reduce((sum, s) => sum + s.size, 0);
  }

  /**
   * Opens (creating if needed) the log in `<dataDir>/topics/<topic>/<partition>`, recovering
   * it: every batch is validated, a torn or invalid tail is truncated (with everything after
   * it), and the batch index and producer state are rebuilt.
   */
  static open(
    dataDir: string,
    topic: string,
    partition: number,
    options: LogOptions,
  ): PartitionLog {
    const dir = join(dataDir, 'topics', topic, String(partition));
    const producers = new ProducerStateTable();
    const { segments, truncatedBytes } = recoverPartition(dir, producers);
    return new PartitionLog(dir, options, segments, producers, { truncatedBytes });
  }

  /** First offset still in the log. */
  get logStartOffset(): number {
    return this.segments.length > 0 ? this.segments[0].baseOffset : this.nextOffset;
  }

  /** Log end offset: the offset the next record gets (no replication, so also the high watermark). */
  get highWatermark(): number {
    return this.nextOffset;
  }

  /** Bytes of all segments. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /**
   * Appends validated batches (see `splitRecordBatches`), assigning their offsets in place.
   * Idempotent-producer rules are checked first; any rejected batch fails the whole call and
   * nothing is written. Data is written (and fdatasync'ed with `fsync`) before returning.
   */
  append(batches: Buffer[], now: number): AppendResult {
    if (this.closed) throw new Error(`${this.dir}: append to a closed log`);
    const check = this.producers.beginCheck();
    const accepted: Buffer[] = [];
    const headers: RecordBatchHeader[] = [];
    let firstOffset = -1;
    let offset = this.nextOffset;
    for (const batch of batches) {
      const header = readBatchHeader(batch, 0);
      const verdict = check.check(header, offset);
      if (verdict.errorCode !== ErrorCode.NONE) {
        return {
          errorCode: verdict.errorCode,
          baseOffset: -1,
          logStartOffset: this.logStartOffset,
        };
      }
      if (firstOffset < 0) firstOffset = verdict.duplicateOf >= 0 ? verdict.duplicateOf : offset;
      if (verdict.duplicateOf >= 0) continue;
      header.baseOffset = offset;
      accepted.push(batch);
      headers.push(header);
      offset += header.lastOffsetDelta + 1;
    }
    if (accepted.length > 0) this.write(accepted, headers, now);
    if (firstOffset < 0) firstOffset = this.nextOffset;
    return {
      errorCode: ErrorCode.NONE,
      baseOffset: firstOffset,
      logStartOffset: this.logStartOffset,
    };
  }

  /**
   * Reads whole batches from the one holding `fetchOffset`, contiguous within one segment,
   * up to `maxBytes` — but always at least that first batch (KIP-74), so a consumer can
   * progress past a batch larger than its fetch size.
   */
  read(fetchOffset: number, maxBytes: number): ReadResult {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.nextOffset) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
    }
    if (fetchOffset === this.nextOffset) return { errorCode: ErrorCode.NONE, records: null };
    const segment = this.segments[this.segmentIndexFor(fetchOffset)];
    const { index } = segment;
    const first = index.findByOffset(fetchOffset);
    let total = index.size(first);
    let end = first + 1;
    while (end < index.length && total + index.size(end) <= maxBytes) total += index.size(end++);
    return { errorCode: ErrorCode.NONE, records: segment.read(index.position(first), total) };
  }

  /**
   * Earliest offset whose record timestamp is ≥ `timestamp`, with that record's timestamp;
   * null when no record is that recent. Timestamps need not grow with offsets, so batches
   * are scanned in offset order rather than binary-searched.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp) continue;
      for (
        let i = segment.index.findByTimestamp(timestamp);
        i >= 0;
        i = segment.index.findByTimestamp(timestamp, i + 1)
      ) {
        const found = firstOffsetAtOrAfterTimestamp(segment.readBatch(i), timestamp);
        if (found) return found;
      }
    }
    return null;
  }

  /**
   * Deletes the oldest segments (never the active one) while the log exceeds
   * retentionBytes or the oldest segment's newest record is older than now − retentionMs.
   * @returns bytes freed.
   */
  applyRetention(now: number): number {
    const { retentionBytes, retentionMs } = this.options;
    let freed = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const tooBig = retentionBytes >= 0 && this.bytes > retentionBytes;
      const tooOld = retentionMs >= 0 && oldest.largestTimestamp < now - retentionMs;
      if (!tooBig && !tooOld) break;
      oldest.delete();
      this.segments.shift();
      this.bytes -= oldest.size;
      freed += oldest.size;
    }
    return freed;
  }

  /**
   * Calls `listener` after every append that stored data (e.g. to wake long-polling fetches).
   * It runs inside `append`, so it must be quick and must not throw.
   * @returns a function that unsubscribes it.
   */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes every file descriptor; the log cannot be used afterwards. */
  close(): void {
    this.closed = true;
    for (const segment of this.segments) segment.close();
    this.listeners.clear();
  }

  /** Closes the log and removes its directory with all data. */
  delete(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Assigns offsets and writes, rolling segments; one writev per segment touched. */
  private write(batches: Buffer[], headers: RecordBatchHeader[], now: number): void {
    let runStart = 0;
    let runBytes = 0;
    let segment = this.activeSegment(now, headers[0].baseOffset);
    for (let i = 0; i < batches.length; i++) {
      setBatchBaseOffset(batches[i], headers[i].baseOffset, LEADER_EPOCH);
      const size = batches[i].length;
      const used = segment.size + runBytes;
      if (used > 0 && used + size > this.options.segmentBytes) {
        this.flush(segment, batches, headers, runStart, i, runBytes, now);
        segment = this.roll(now, headers[i].baseOffset);
        runStart = i;
        runBytes = 0;
      }
      runBytes += size;
    }
    this.flush(segment, batches, headers, runStart, batches.length, runBytes, now);
    // A snapshot: a listener that re-subscribes must not be called again in this round.
    if (this.listeners.size > 0) for (const listener of [...this.listeners]) listener();
  }

  private flush(
    segment: LogSegment,
    batches: Buffer[],
    headers: RecordBatchHeader[],
    from: number,
    to: number,
    bytes: number,
    now: number,
  ): void {
    const runHeaders = headers.slice(from, to);
    segment.append(batches.slice(from, to), runHeaders, bytes, now, this.options.fsync);
    // Only now is the run durable enough to count: state follows what the file holds.
    for (const header of runHeaders) this.producers.record(header, header.baseOffset);
    this.bytes += bytes;
    this.nextOffset = segment.nextOffset;
  }

  private activeSegment(now: number, baseOffset: number): LogSegment {
    const last = this.segments[this.segments.length - 1];
    return last ?? this.roll(now, baseOffset);
  }

  private roll(now: number, baseOffset: number): LogSegment {
    const previous = this.segments[this.segments.length - 1];
    const segment = LogSegment.create(this.dir, baseOffset, now);
    this.segments.push(segment);
    if (this.options.fsync) syncDirectory(this.dir);
    // Older segments are only read from now on; their descriptors reopen on demand.
    previous?.close();
    return segment;
  }

  /** Index of the last segment whose baseOffset ≤ offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
