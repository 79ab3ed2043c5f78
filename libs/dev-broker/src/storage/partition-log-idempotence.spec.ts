import { ErrorCode } from '../protocol/error-codes';
import { PartitionLog } from './partition-log';
import { batchOf, makeTempDir, sequencedBatch, TEST_LOG_OPTIONS } from './storage.test-helper';

const NOW = 1_700_000_000_000;
const PID = 4_000;

describe('PartitionLog idempotent producers', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let log: PartitionLog;
  const reopen = (): PartitionLog => {
    log.close();
    log = PartitionLog.open(tmp.path, 'payments', 0, TEST_LOG_OPTIONS);
    return log;
  };
  /** Appends and returns [errorCode, baseOffset]. */
  const send = (...batches: Buffer[]): [number, number] => {
    const result = log.append(batches, NOW);
    return [result.errorCode, result.baseOffset];
  };

  beforeEach(() => {
    tmp = makeTempDir();
    log = PartitionLog.open(tmp.path, 'payments', 0, TEST_LOG_OPTIONS);
  });
  afterEach(() => {
    log.close();
    tmp.remove();
  });

  it('answers a retried batch with its original offset and stores nothing', () => {
    expect(send(sequencedBatch(PID, 0, 0, 3))).toEqual([ErrorCode.NONE, 0]);
    expect(send(sequencedBatch(PID, 0, 3, 2))).toEqual([ErrorCode.NONE, 3]);
    const before = [log.highWatermark, log.sizeBytes];
    const listener = jest.fn();
    log.onAppend(listener);
    expect(send(sequencedBatch(PID, 0, 0, 3))).toEqual([ErrorCode.NONE, 0]);
    expect(send(sequencedBatch(PID, 0, 3, 2))).toEqual([ErrorCode.NONE, 3]);
    expect([log.highWatermark, log.sizeBytes]).toEqual(before);
    expect(listener).not.toHaveBeenCalled();
  });

  it('recognises retries of the last five batches only', () => {
    for (let seq = 0; seq < 6; seq++) send(sequencedBatch(PID, 0, seq));
    expect(send(sequencedBatch(PID, 0, 1))).toEqual([ErrorCode.NONE, 1]);
    expect(send(sequencedBatch(PID, 0, 0))).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
  });

  it('rejects a sequence gap or a rewind as OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing', () => {
    send(sequencedBatch(PID, 0, 10, 5)); // an unknown producer may start anywhere
    expect(send(sequencedBatch(PID, 0, 16))).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect(send(sequencedBatch(PID, 0, 12))).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect(log.highWatermark).toBe(5);
    expect(send(sequencedBatch(PID, 0, 15))).toEqual([ErrorCode.NONE, 5]);
  });

  it('fences an older epoch with INVALID_PRODUCER_EPOCH', () => {
    send(sequencedBatch(PID, 1, 0));
    expect(send(sequencedBatch(PID, 0, 1))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, -1]);
  });

  it('requires a new epoch to start at sequence 0', () => {
    send(sequencedBatch(PID, 0, 0, 4));
    expect(send(sequencedBatch(PID, 1, 4))).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect(send(sequencedBatch(PID, 1, 0))).toEqual([ErrorCode.NONE, 4]);
    // The old epoch is fenced now, retries of its batches included.
    expect(send(sequencedBatch(PID, 0, 0, 4))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, -1]);
  });

  it('wraps sequences from 2^31 − 1 to 0', () => {
    send(sequencedBatch(PID, 0, 2 ** 31 - 2, 2)); // sequences 2^31−2 and 2^31−1
    expect(send(sequencedBatch(PID, 0, 0, 2))).toEqual([ErrorCode.NONE, 2]);
    send(sequencedBatch(PID + 1, 0, 2 ** 31 - 1, 3)); // wraps inside the batch: last sequence 1
    expect(send(sequencedBatch(PID + 1, 0, 2))).toEqual([ErrorCode.NONE, 7]);
  });

  it('keeps producers apart', () => {
    send(sequencedBatch(PID, 0, 0));
    expect(send(sequencedBatch(PID + 1, 0, 0))).toEqual([ErrorCode.NONE, 1]);
    expect(send(sequencedBatch(PID, 0, 1))).toEqual([ErrorCode.NONE, 2]);
  });

  it('fails a whole call when any batch of it is rejected', () => {
    expect(
      send(sequencedBatch(PID, 0, 0), sequencedBatch(PID, 0, 1), sequencedBatch(PID, 0, 5)),
    ).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect([log.highWatermark, log.sizeBytes]).toEqual([0, 0]);
    // Nothing of the failed call counts: sequence 0 is still new, not a duplicate.
    expect(send(sequencedBatch(PID, 0, 0), sequencedBatch(PID, 0, 1))).toEqual([ErrorCode.NONE, 0]);
    expect(log.highWatermark).toBe(2);
  });

  it('checks later batches of a call against the earlier ones', () => {
    expect(send(sequencedBatch(PID, 0, 0), sequencedBatch(PID, 0, 0))).toEqual([ErrorCode.NONE, 0]);
    expect(log.highWatermark).toBe(1);
  });

  it('applies no checks to batches without a producer id', () => {
    send(batchOf(2));
    expect(send(batchOf(2))).toEqual([ErrorCode.NONE, 2]);
    expect(log.highWatermark).toBe(4);
  });

  it('rebuilds producer state from the log when reopened', () => {
    send(sequencedBatch(PID, 2, 0, 3));
    send(sequencedBatch(PID, 2, 3, 3));
    reopen();
    expect(send(sequencedBatch(PID, 2, 3, 3))).toEqual([ErrorCode.NONE, 3]);
    expect(send(sequencedBatch(PID, 1, 6))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, -1]);
    expect(send(sequencedBatch(PID, 2, 7))).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect(send(sequencedBatch(PID, 2, 6))).toEqual([ErrorCode.NONE, 6]);
  });
});
