import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdAllocator } from './producer-ids';
import { makeTempDir } from './storage.test-helper';

describe('ProducerIdAllocator', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.remove());

  it('hands out distinct ids', () => {
    const allocator = ProducerIdAllocator.open(tmp.path);
    const ids = Array.from({ length: 2 * PRODUCER_ID_BLOCK_SIZE + 5 }, () => allocator.next());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(0);
  });

  it('never reuses an id after a restart, even mid-block', () => {
    const seen = new Set<number>();
    for (let restart = 0; restart < 4; restart++) {
      const allocator = ProducerIdAllocator.open(tmp.path);
      for (let i = 0; i < 700; i++) {
        const id = allocator.next();
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(JSON.parse(readFileSync(join(tmp.path, 'producer-ids.json'), 'utf8'))).toEqual({
      // Each restart skips the unused rest of its predecessor's block.
      blockEnd: 4 * PRODUCER_ID_BLOCK_SIZE,
    });
  });

  it('refuses a malformed state file rather than restarting at 0', () => {
    writeFileSync(join(tmp.path, 'producer-ids.json'), '{"blockEnd":"soon"}');
    expect(() => ProducerIdAllocator.open(tmp.path)).toThrow(/malformed/);
  });
});
