/**
 * One segment file of a partition: `<20-digit base offset>.log`, holding record batches
 * back to back exactly as produced (with offsets assigned), plus its in-memory batch index.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'fs';
import { join } from 'path';
import { RecordBatchHeader } from '../records/record-batch';
import { BatchIndex } from './batch-index';
import { BatchVisitor, scanSegment } from './segment-recovery';

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** File name of the segment whose first offset is `baseOffset`. */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

/** Base offset encoded in a segment file name, or undefined for any other file. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** A segment file and the index of its batches. */
export class LogSegment {
  /** Batches of this segment in file order. */
  readonly index = new BatchIndex();
  /** Offset the next batch appended here gets (= baseOffset while empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp seen, −1 when none carried a timestamp. */
  maxTimestamp = -1;
  private bytes = 0;
  private fd: number | null;

  private constructor(
    readonly path: string,
    readonly baseOffset: number,
    fd: number,
    /** When data last arrived: stands in for maxTimestamp when batches carry none. */
    private lastAppendTime: number,
  ) {
    this.fd = fd;
    this.nextOffset = baseOffset;
  }

  /** Creates an empty segment file (replacing any leftover of the same name). */
  static create(dir: string, baseOffset: number, now: number): LogSegment {
    const path = join(dir, segmentFileName(baseOffset));
    return new LogSegment(path, baseOffset, openSync(path, 'w+'), now);
  }

  /**
   * Opens an existing segment, validates its batches and truncates the file at the first
   * partial or invalid one. `visit` sees every batch kept.
   */
  static recover(
    path: string,
    baseOffset: number,
    visit: BatchVisitor,
  ): { segment: LogSegment; truncatedBytes: number } {
    const fd = openSync(path, 'r+');
    try {
      const stat = fstatSync(fd);
      const segment = new LogSegment(path, baseOffset, fd, stat.mtimeMs);
      const scan = scanSegment(fd, stat.size, baseOffset, (header, position, size) => {
        segment.indexBatch(header, position, size);
        visit(header, position, size);
      });
      if (scan.validBytes < stat.size) ftruncateSync(fd, scan.validBytes);
      segment.bytes = scan.validBytes;
      segment.nextOffset = scan.nextOffset;
      return { segment, truncatedBytes: stat.size - scan.validBytes };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Bytes of valid batches in the file. */
  get size(): number {
    return this.bytes;
  }

  /** Newest data time for time-based retention. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastAppendTime;
  }

  /**
   * Writes batches (offsets already assigned) at the end of the file in one writev call,
   * then indexes them. On a write error the file is cut back so it never holds half a call.
   */
  append(
    batches: Buffer[],
    headers: RecordBatchHeader[],
    totalBytes: number,
    now: number,
    fsync: boolean,
  ): void {
    const fd = this.open();
    const start = this.bytes;
    try {
      let written = writevSync(fd, batches, start);
      if (written < totalBytes) {
        const rest = Buffer.concat(batches, totalBytes);
        while (written < totalBytes)
          written += writeSync(fd, rest, written, totalBytes - written, start + written);
      }
      if (fsync) fdatasyncSync(fd);
    } catch (error) {
      ftruncateSync(fd, start);
      throw error;
    }
    let position = start;
    for (let i = 0; i < batches.length; i++) {
      this.indexBatch(headers[i], position, batches[i].length);
      position += batches[i].length;
    }
    this.bytes = position;
    this.lastAppendTime = now;
  }

  /** Reads file bytes [position, position + length) with one read call (looping only on short reads). */
  read(position: number, length: number): Buffer {
    const fd = this.open();
    const buf = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const n = readSync(fd, buf, filled, length - filled, position + filled);
      if (n === 0) throw new Error(`${this.path}: unexpected end of file at ${position + filled}`);
      filled += n;
    }
    return buf;
  }

  /** Reads the batch at index entry `i`. */
  readBatch(i: number): Buffer {
    return this.read(this.index.position(i), this.index.size(i));
  }

  /** Closes the file descriptor (a later read or append reopens it). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and removes the file. */
  delete(): void {
    this.close();
    unlinkSync(this.path);
  }

  private indexBatch(header: RecordBatchHeader, position: number, size: number): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    this.index.push(header.baseOffset, lastOffset, position, size, header.maxTimestamp);
    if (header.maxTimestamp > this.maxTimestamp) this.maxTimestamp = header.maxTimestamp;
    this.nextOffset = lastOffset + 1;
  }

  private open(): number {
    if (this.fd === null) this.fd = openSync(this.path, 'r+');
    return this.fd;
  }
}
