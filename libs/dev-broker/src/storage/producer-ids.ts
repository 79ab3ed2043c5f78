/**
 * Allocates producer ids (InitProducerId) that are never handed out twice, even across
 * restarts: ids come in blocks whose end is persisted before the first id of the block is
 * used. A restart skips the rest of the current block — ids are plentiful, reuse is not
 * acceptable (a reused id would inherit another producer's sequence state).
 */
import { join } from 'path';
import { mkdirSync } from 'fs';
import { readJsonFile, writeFileAtomic } from './atomic-file';

/** Ids reserved per write of producer-ids.json. */
export const PRODUCER_ID_BLOCK_SIZE = 1_000;

const FILE_NAME = 'producer-ids.json';

/** Hands out increasing producer ids persisted in `<dataDir>/producer-ids.json`. */
export class ProducerIdAllocator {
  private constructor(
    private readonly path: string,
    private nextId: number,
    private blockEnd: number,
  ) {}

  /**
   * Opens the allocator; the first id it gives is the end of the block reserved last time.
   * @throws when producer-ids.json exists but is malformed (silently restarting at 0 would reuse ids).
   */
  static open(dataDir: string): ProducerIdAllocator {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, FILE_NAME);
    const stored = readJsonFile(path);
    let start = 0;
    if (stored !== undefined) {
      const blockEnd = (stored as { blockEnd?: unknown }).blockEnd;
      if (typeof blockEnd !== 'number' || !Number.isSafeInteger(blockEnd) || blockEnd < 0) {
        throw new Error(`${path}: malformed producer id state`);
      }
      start = blockEnd;
    }
    return new ProducerIdAllocator(path, start, start);
  }

  /** The next unused producer id. */
  next(): number {
    if (this.nextId >= this.blockEnd) {
      const blockEnd = this.nextId + PRODUCER_ID_BLOCK_SIZE;
      writeFileAtomic(this.path, JSON.stringify({ blockEnd }));
      this.blockEnd = blockEnd;
    }
    return this.nextId++;
  }
}
