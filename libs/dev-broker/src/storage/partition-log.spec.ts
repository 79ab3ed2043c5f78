import { appendFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ErrorCode } from '../protocol/error-codes';
import { BatchField, splitRecordBatches } from '../records/record-batch';
import { decodeRecordBatch } from '../records/record-batch.test-helper';
import { LogOptions } from './partition-log.types';
import { PartitionLog } from './partition-log';
import { batchOf, makeTempDir, TEST_LOG_OPTIONS } from './storage.test-helper';

const NOW = 1_700_000_000_000;

/** Offsets of every record in a fetched `records` buffer. */
function offsetsIn(records: Buffer | null): number[] {
  if (records === null) return [];
  const split = splitRecordBatches(records);
  if ('errorCode' in split) throw new Error(`fetched invalid batches: ${split.errorCode}`);
  return split.batches.flatMap((b) => decodeRecordBatch(b).map((r) => r.offset));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('PartitionLog', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const logs: PartitionLog[] = [];
  const open = (options: Partial<LogOptions> = {}): PartitionLog => {
    const log = PartitionLog.open(tmp.path, 'orders', 0, { ...TEST_LOG_OPTIONS, ...options });
    logs.push(log);
    return log;
  };
  const segmentFiles = (): string[] => readdirSync(join(tmp.path, 'topics', 'orders', '0')).sort();

  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => {
    logs.splice(0).forEach((log) => log.close());
    tmp.remove();
  });

  it('assigns offsets on append and reads the records back', () => {
    const log = open();
    expect(log.append([batchOf(3), batchOf(2)], NOW)).toEqual({
      errorCode: ErrorCode.NONE,
      baseOffset: 0,
      logStartOffset: 0,
    });
    const third = batchOf(4);
    expect(log.append([third], NOW).baseOffset).toBe(5);
    expect(log.highWatermark).toBe(9);
    expect(log.sizeBytes).toBe(batchOf(3).length + batchOf(2).length + third.length);
    const read = log.read(0, 1 << 20);
    expect(read.errorCode).toBe(ErrorCode.NONE);
    expect(offsetsIn(read.records)).toEqual(range(0, 9));
    expect(
      decodeRecordBatch(read.records!.subarray(read.records!.length - third.length))[3].value,
    ).toEqual(Buffer.alloc(16, 3));
    expect(segmentFiles()).toEqual(['00000000000000000000.log']);
  });

  describe('read', () => {
    let log: PartitionLog;
    let batchSize: number;
    beforeEach(() => {
      log = open();
      for (let i = 0; i < 4; i++) log.append([batchOf(10)], NOW); // offsets 0–39
      batchSize = batchOf(10).length;
    });

    it('answers OFFSET_OUT_OF_RANGE beyond the high watermark or before the log start', () => {
      expect(log.read(41, 1000)).toEqual({
        errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        records: null,
      });
      expect(log.read(-1, 1000)).toEqual({
        errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        records: null,
      });
    });

    it('answers nothing, without error, at the high watermark', () => {
      expect(log.read(40, 1000)).toEqual({ errorCode: ErrorCode.NONE, records: null });
    });

    it('starts with the whole batch holding the fetch offset', () => {
      expect(offsetsIn(log.read(25, batchSize).records)).toEqual(range(20, 30));
    });

    it('returns only whole batches that fit in maxBytes', () => {
      expect(offsetsIn(log.read(0, 3 * batchSize - 1).records)).toEqual(range(0, 20));
      expect(offsetsIn(log.read(0, 3 * batchSize).records)).toEqual(range(0, 30));
    });

    it('returns the first batch even when it is larger than maxBytes', () => {
      expect(offsetsIn(log.read(10, 1).records)).toEqual(range(10, 20));
    });
  });

  it('rolls segments at segmentBytes and reads across them one segment at a time', () => {
    const batchSize = batchOf(5).length;
    const log = open({ segmentBytes: 2 * batchSize });
    for (let i = 0; i < 3; i++) log.append([batchOf(5)], NOW); // 0–14
    log.append([batchOf(5), batchOf(5)], NOW); // 15–24, split by a roll inside one call
    expect(segmentFiles()).toEqual([
      '00000000000000000000.log',
      '00000000000000000010.log',
      '00000000000000000020.log',
    ]);
    expect(statSync(join(tmp.path, 'topics', 'orders', '0', '00000000000000000010.log')).size).toBe(
      2 * batchSize,
    );
    expect(offsetsIn(log.read(0, 1 << 20).records)).toEqual(range(0, 10));
    expect(offsetsIn(log.read(12, 1 << 20).records)).toEqual(range(10, 20));
    expect(offsetsIn(log.read(20, 1 << 20).records)).toEqual(range(20, 25));
    expect(log.highWatermark).toBe(25);
  });

  it('puts a batch larger than segmentBytes alone in its own segment', () => {
    const log = open({ segmentBytes: 10 });
    log.append([batchOf(2), batchOf(3)], NOW);
    expect(segmentFiles()).toEqual(['00000000000000000000.log', '00000000000000000002.log']);
    expect(offsetsIn(log.read(2, 1 << 20).records)).toEqual([2, 3, 4]);
  });

  it('keeps every batch, offset and segment across close and reopen', () => {
    const first = open({ segmentBytes: batchOf(5).length, fsync: true });
    for (let i = 0; i < 4; i++) first.append([batchOf(5)], NOW);
    first.close();
    const reopened = open();
    expect(reopened.recovery).toEqual({ truncatedBytes: 0 });
    expect([reopened.logStartOffset, reopened.highWatermark, reopened.sizeBytes]).toEqual([
      0,
      20,
      4 * batchOf(5).length,
    ]);
    expect(offsetsIn(reopened.read(7, 1 << 20).records)).toEqual(range(5, 10));
    expect(reopened.append([batchOf(1)], NOW).baseOffset).toBe(20);
    expect(offsetsIn(reopened.read(15, 1 << 20).records)).toEqual(range(15, 21));
  });

  describe('recovery of a torn tail', () => {
    const activeFile = () => join(tmp.path, 'topics', 'orders', '0', segmentFiles().at(-1)!);

    it.each([
      ['a partial header', () => batchOf(3).subarray(0, 30)],
      ['a batch cut short', () => batchOf(3).subarray(0, batchOf(3).length - 7)],
      ['garbage bytes', () => Buffer.from('this is not a record batch, not at all; just noise')],
      [
        'a complete batch with a bad CRC',
        () => {
          const b = batchOf(3, { baseOffset: 6 });
          b[b.length - 1] ^= 0xff;
          return b;
        },
      ],
      ['a valid batch with a gap in offsets', () => batchOf(3, { baseOffset: 100 })],
    ])('truncates %s and continues at the right offset', (_name, tail) => {
      const log = open({ segmentBytes: 2 * batchOf(3).length });
      for (let i = 0; i < 3; i++) log.append([batchOf(3)], NOW); // segments 0 (0–5) and 6 (6–8)
      log.close();
      const garbage = tail();
      appendFileSync(activeFile(), garbage);

      const reopened = open({ segmentBytes: 2 * batchOf(3).length });
      expect(reopened.recovery.truncatedBytes).toBe(garbage.length);
      expect(statSync(activeFile()).size).toBe(batchOf(3).length);
      expect(reopened.highWatermark).toBe(9);
      expect([
        ...offsetsIn(reopened.read(0, 1 << 20).records),
        ...offsetsIn(reopened.read(6, 1 << 20).records),
      ]).toEqual(range(0, 9));
      expect(reopened.append([batchOf(2)], NOW).baseOffset).toBe(9);
      expect(offsetsIn(reopened.read(9, 1 << 20).records)).toEqual([9, 10]);
    });

    it('drops the segments after an older segment found invalid, keeping offsets contiguous', () => {
      const size = batchOf(3).length;
      const log = open({ segmentBytes: size });
      for (let i = 0; i < 3; i++) log.append([batchOf(3)], NOW); // one batch per segment
      log.close();
      const middle = join(tmp.path, 'topics', 'orders', '0', '00000000000000000003.log');
      const damaged = batchOf(3, { baseOffset: 3 });
      damaged[BatchField.ATTRIBUTES + 5] ^= 0x01;
      writeFileSync(middle, damaged);

      const reopened = open({ segmentBytes: size });
      expect(reopened.recovery.truncatedBytes).toBe(2 * size);
      expect(segmentFiles()).toEqual(['00000000000000000000.log', '00000000000000000003.log']);
      expect(reopened.highWatermark).toBe(3);
      expect(reopened.append([batchOf(1)], NOW).baseOffset).toBe(3);
    });
  });

  it('notifies append listeners once per append that stored data, until unsubscribed', () => {
    const log = open();
    const listener = jest.fn();
    const unsubscribe = log.onAppend(listener);
    log.append([batchOf(1), batchOf(1)], NOW);
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    log.append([batchOf(1)], NOW);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('removes its directory on delete', () => {
    const log = open();
    log.append([batchOf(1)], NOW);
    log.delete();
    expect(readdirSync(join(tmp.path, 'topics', 'orders'))).toEqual([]);
    expect(() => log.append([batchOf(1)], NOW)).toThrow(/closed/);
  });
});
