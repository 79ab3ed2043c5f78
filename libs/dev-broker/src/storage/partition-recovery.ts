/**
 * Opens the segment files of a partition after a clean or unclean shutdown, keeping the
 * longest valid, offset-contiguous prefix of the log.
 */
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'fs';
import { join } from 'path';
import { LogSegment, parseSegmentFileName } from './log-segment';
import { ProducerStateTable } from './producer-state';
import { BatchVisitor } from './segment-recovery';

/** A segment file found on disk. */
export interface SegmentFile {
  path: string;
  baseOffset: number;
}

/** The segments kept, and how many bytes recovery removed. */
export interface RecoveredSegments {
  segments: LogSegment[];
  truncatedBytes: number;
}

/**
 * Opens the partition directory `dir` (creating it when missing), recovering its segments
 * and replaying every kept batch into `producers`.
 */
export function recoverPartition(dir: string, producers: ProducerStateTable): RecoveredSegments {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(dir)
    .map((name) => ({ path: join(dir, name), baseOffset: parseSegmentFileName(name) }))
    .filter((f): f is SegmentFile => f.baseOffset !== undefined)
    .sort((a, b) => a.baseOffset - b.baseOffset);
  return openSegments(files, (header) => producers.record(header, header.baseOffset));
}

/**
 * Recovers `files` (sorted by base offset). A process killed mid-write leaves a torn tail in
 * the newest segment; that tail is truncated. Should an older segment be invalid part-way,
 * the log cannot continue past that point either, so it is truncated there and every later
 * segment is deleted — the same rule Kafka applies, keeping offsets contiguous.
 * Older segments are left with closed descriptors; they reopen when read.
 */
export function openSegments(files: SegmentFile[], visit: BatchVisitor): RecoveredSegments {
  const segments: LogSegment[] = [];
  let truncatedBytes = 0;
  let broken = false;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const previous = segments[segments.length - 1];
    if (broken || (previous !== undefined && previous.nextOffset !== file.baseOffset)) {
      broken = true;
      truncatedBytes += statSync(file.path).size;
      unlinkSync(file.path);
      continue;
    }
    const recovered = LogSegment.recover(file.path, file.baseOffset, visit);
    truncatedBytes += recovered.truncatedBytes;
    const { segment } = recovered;
    if (recovered.truncatedBytes > 0) broken = true;
    // An empty segment before the last one holds nothing and would shadow its successor.
    if (segment.size === 0 && i < files.length - 1 && !broken) {
      segment.delete();
      continue;
    }
    previous?.close();
    segments.push(segment);
  }
  return { segments, truncatedBytes };
}
