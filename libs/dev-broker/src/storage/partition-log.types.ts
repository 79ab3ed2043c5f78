/** Options and results of a PartitionLog. */

/** How a partition log stores and retains data (broker defaults, overridable per topic). */
export interface LogOptions {
  /** Roll to a new segment file when the active one would grow beyond this many bytes. */
  segmentBytes: number;
  /** Delete the oldest segments while the partition is larger than this; −1 = unlimited. */
  retentionBytes: number;
  /** Delete segments whose newest record is older than this; −1 = unlimited. */
  retentionMs: number;
  /** fdatasync after every append (survives power loss, not only a killed process). */
  fsync: boolean;
}

/** Answer to `append`: the offset of the first batch, or why nothing was appended. */
export interface AppendResult {
  errorCode: number;
  /** Offset of the call's first batch (its original offset if it was a duplicate); −1 on error. */
  baseOffset: number;
  logStartOffset: number;
}

/** Answer to `read`: whole batches, or null when there is nothing (yet) at that offset. */
export interface ReadResult {
  errorCode: number;
  records: Buffer | null;
}
