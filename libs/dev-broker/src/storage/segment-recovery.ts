/**
 * Scans a segment file on open: every batch is checked (length, magic, CRC, offset
 * continuity) so that a torn or corrupted tail is found and cut off before the log serves it.
 */
import { readSync } from 'fs';
import { ErrorCode } from '../protocol/error-codes';
import {
  BatchField,
  checkBatchAt,
  RECORD_BATCH_HEADER_SIZE,
  readBatchHeader,
  RecordBatchHeader,
  BATCH_LOG_OVERHEAD,
} from '../records/record-batch';

/** Read granularity: headers come from large reads, never one small read per batch. */
const CHUNK_BYTES = 1 << 20;

/** Result of a scan: bytes that form valid batches, and the offset after the last of them. */
export interface SegmentScan {
  validBytes: number;
  nextOffset: number;
}

/** Receives each valid batch in file order. */
export type BatchVisitor = (header: RecordBatchHeader, position: number, size: number) => void;

/**
 * Walks the batches of the segment open at `fd` (size `fileSize`), whose first batch must
 * have offset `baseOffset`. Stops at the first partial or invalid batch.
 */
export function scanSegment(
  fd: number,
  fileSize: number,
  baseOffset: number,
  visit: BatchVisitor,
): SegmentScan {
  const window = new ReadWindow(fd, fileSize);
  let pos = 0;
  let nextOffset = baseOffset;
  while (fileSize - pos >= RECORD_BATCH_HEADER_SIZE) {
    let at = window.load(pos, RECORD_BATCH_HEADER_SIZE);
    if (at < 0) break;
    const size = window.buf.readInt32BE(at + BatchField.BATCH_LENGTH) + BATCH_LOG_OVERHEAD;
    if (size < RECORD_BATCH_HEADER_SIZE || size > fileSize - pos) break;
    at = window.load(pos, size);
    if (at < 0) break;
    const check = checkBatchAt(window.buf, at, at + size);
    if (check.errorCode !== ErrorCode.NONE) break;
    const header = readBatchHeader(window.buf, at);
    if (header.baseOffset !== nextOffset) break;
    visit(header, pos, size);
    nextOffset = header.baseOffset + header.lastOffsetDelta + 1;
    pos += size;
  }
  return { validBytes: pos, nextOffset };
}

/** A buffer holding the file range [start, end), refilled in large reads as the scan moves. */
class ReadWindow {
  buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(
    private readonly fd: number,
    private readonly fileSize: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, fileSize));
  }

  /**
   * Makes file bytes [pos, pos + length) available.
   * @returns where `pos` sits in `buf`, or −1 when the file ends sooner (it shrank meanwhile).
   */
  load(pos: number, length: number): number {
    if (pos >= this.start && pos + length <= this.end) return pos - this.start;
    const want = Math.min(Math.max(CHUNK_BYTES, length), this.fileSize - pos);
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const n = readSync(this.fd, this.buf, filled, want - filled, pos + filled);
      if (n === 0) break;
      filled += n;
    }
    this.start = pos;
    this.end = pos + filled;
    return filled >= length ? 0 : -1;
  }
}
