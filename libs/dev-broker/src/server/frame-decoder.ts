/** A frame whose size prefix is negative or above the limit: the connection is closed. */
export class FrameSizeError extends Error {}

const SIZE_PREFIX = 4;

/**
 * Splits a TCP byte stream into Kafka frames (int32 size prefix + payload).
 * Received chunks are joined only once a whole frame is there, so a large
 * frame arriving in many chunks is copied once, not once per chunk.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next frame (or at least its size prefix) is complete. */
  private needed = SIZE_PREFIX;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds received bytes and returns every frame now complete (payload without the prefix). */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needed) return [];

    const buffer =
      this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Buffer[] = [];
    let at = 0;
    this.needed = SIZE_PREFIX;
    while (buffer.length - at >= SIZE_PREFIX) {
      const size = buffer.readInt32BE(at);
      if (size < 0 || size > this.maxFrameBytes) {
        throw new FrameSizeError(`frame size ${size} outside 0..${this.maxFrameBytes}`);
      }
      if (buffer.length - at < SIZE_PREFIX + size) {
        this.needed = SIZE_PREFIX + size;
        break;
      }
      frames.push(buffer.subarray(at + SIZE_PREFIX, at + SIZE_PREFIX + size));
      at += SIZE_PREFIX + size;
    }
    const rest = buffer.subarray(at);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return frames;
  }
}
