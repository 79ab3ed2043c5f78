/**
 * In-memory index of the batches of one segment, in file order.
 *
 * Struct-of-arrays in growable typed arrays: a long-running broker holds millions of
 * batches, and 36 bytes per batch in flat arrays is far cheaper (memory and GC) than one
 * object per batch.
 */
export class BatchIndex {
  private capacity: number;
  private count = 0;
  private baseOffsets: Float64Array;
  private lastOffsets: Float64Array;
  private positions: Float64Array;
  private sizes: Uint32Array;
  private maxTimestamps: Float64Array;

  /** @param initialCapacity entries before the first growth (kept small: many partitions). */
  constructor(initialCapacity = 16) {
    this.capacity = Math.max(1, initialCapacity);
    this.baseOffsets = new Float64Array(this.capacity);
    this.lastOffsets = new Float64Array(this.capacity);
    this.positions = new Float64Array(this.capacity);
    this.sizes = new Uint32Array(this.capacity);
    this.maxTimestamps = new Float64Array(this.capacity);
  }

  /** Number of batches indexed. */
  get length(): number {
    return this.count;
  }

  /** Adds the batch that follows the last one indexed. */
  push(
    baseOffset: number,
    lastOffset: number,
    position: number,
    size: number,
    maxTimestamp: number,
  ): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.baseOffsets[i] = baseOffset;
    this.lastOffsets[i] = lastOffset;
    this.positions[i] = position;
    this.sizes[i] = size;
    this.maxTimestamps[i] = maxTimestamp;
  }

  baseOffset(i: number): number {
    return this.baseOffsets[i];
  }

  lastOffset(i: number): number {
    return this.lastOffsets[i];
  }

  position(i: number): number {
    return this.positions[i];
  }

  size(i: number): number {
    return this.sizes[i];
  }

  maxTimestamp(i: number): number {
    return this.maxTimestamps[i];
  }

  /**
   * Entry of the first batch whose lastOffset ≥ `offset` (the batch holding `offset` when
   * offsets are contiguous), or `length` when every batch ends before it.
   */
  findByOffset(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lastOffsets[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Entry of the first batch (in offset order) whose maxTimestamp ≥ `timestamp`, or −1.
   * Linear on purpose: producer timestamps need not increase, so no binary search is sound.
   */
  findByTimestamp(timestamp: number, from = 0): number {
    const ts = this.maxTimestamps;
    for (let i = from; i < this.count; i++) if (ts[i] >= timestamp) return i;
    return -1;
  }

  private grow(): void {
    this.capacity *= 2;
    this.baseOffsets = resize(this.baseOffsets, this.capacity);
    this.lastOffsets = resize(this.lastOffsets, this.capacity);
    this.positions = resize(this.positions, this.capacity);
    this.sizes = resize(this.sizes, this.capacity);
    this.maxTimestamps = resize(this.maxTimestamps, this.capacity);
  }
}

function resize<T extends Float64Array | Uint32Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}
