/**
 * Idempotent-producer bookkeeping for one partition: the last epoch and sequence of each
 * producer id, plus its last few batches so a retried batch is recognised and answered
 * with its original offset instead of being appended twice.
 */
import { ErrorCode } from '../protocol/error-codes';

/** Kafka clients keep at most 5 batches in flight per partition, so 5 covers every retry. */
export const RECENT_BATCHES_PER_PRODUCER = 5;

const SEQUENCE_LIMIT = 2 ** 31; // sequences are int32 and wrap from 2^31 − 1 to 0

/** The producer fields of a batch header. */
export interface SequencedBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

interface RecentBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  recent: RecentBatch[];
}

/** How a batch fares: NONE with `duplicateOf` −1 (append it) or ≥ 0 (already stored there). */
export interface ProducerVerdict {
  errorCode: number;
  duplicateOf: number;
}

const ACCEPT: ProducerVerdict = { errorCode: ErrorCode.NONE, duplicateOf: -1 };

/** True when the batch takes part in idempotence checks (producer id and sequence set). */
export function isSequenced(batch: SequencedBatch): boolean {
  return batch.producerId >= 0 && batch.baseSequence >= 0;
}

function lastSequenceOf(batch: SequencedBatch): number {
  return (batch.baseSequence + batch.lastOffsetDelta) % SEQUENCE_LIMIT;
}

function verdict(entry: ProducerEntry | undefined, batch: SequencedBatch): ProducerVerdict {
  if (entry === undefined) return ACCEPT; // unknown producer: any sequence starts it
  if (batch.producerEpoch < entry.epoch)
    return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, duplicateOf: -1 };
  if (batch.producerEpoch > entry.epoch) {
    return batch.baseSequence === 0
      ? ACCEPT
      : { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, duplicateOf: -1 };
  }
  const lastSeq = lastSequenceOf(batch);
  const duplicate = entry.recent.find(
    (r) => r.firstSeq === batch.baseSequence && r.lastSeq === lastSeq,
  );
  if (duplicate) return { errorCode: ErrorCode.NONE, duplicateOf: duplicate.baseOffset };
  const expected = (entry.lastSequence + 1) % SEQUENCE_LIMIT;
  return batch.baseSequence === expected
    ? ACCEPT
    : { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, duplicateOf: -1 };
}

/** Returns the entry after appending `batch` at `baseOffset` (mutates `entry` when given). */
function advance(
  entry: ProducerEntry | undefined,
  batch: SequencedBatch,
  baseOffset: number,
): ProducerEntry {
  const lastSeq = lastSequenceOf(batch);
  if (entry === undefined || entry.epoch !== batch.producerEpoch) {
    return {
      epoch: batch.producerEpoch,
      lastSequence: lastSeq,
      recent: [{ firstSeq: batch.baseSequence, lastSeq, baseOffset }],
    };
  }
  entry.lastSequence = lastSeq;
  entry.recent.push({ firstSeq: batch.baseSequence, lastSeq, baseOffset });
  if (entry.recent.length > RECENT_BATCHES_PER_PRODUCER) entry.recent.shift();
  return entry;
}

/** Producer state of one partition. */
export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Records a batch that is now in the log (on append, and when replaying the log on open). */
  record(batch: SequencedBatch, baseOffset: number): void {
    if (!isSequenced(batch)) return;
    const entry = this.producers.get(batch.producerId);
    const next = advance(entry, batch, baseOffset);
    if (next !== entry) this.producers.set(batch.producerId, next);
  }

  /**
   * Starts checking the batches of one append call. The check sees the earlier batches of
   * the same call as appended, but changes nothing here: a call is all or nothing.
   */
  beginCheck(): ProducerCheck {
    return new ProducerCheck(this.producers);
  }

  /** Number of producers tracked (for tests and diagnostics). */
  get size(): number {
    return this.producers.size;
  }
}

/** Scratch view used while deciding one append call; see `ProducerStateTable.beginCheck`. */
export class ProducerCheck {
  private readonly scratch = new Map<number, ProducerEntry>();

  constructor(private readonly committed: ReadonlyMap<number, ProducerEntry>) {}

  /**
   * Decides `batch` as if appended at `baseOffset`; an accepted batch is remembered so the
   * next batches of the call are checked after it.
   */
  check(batch: SequencedBatch, baseOffset: number): ProducerVerdict {
    if (!isSequenced(batch)) return ACCEPT;
    const entry = this.entry(batch.producerId);
    const result = verdict(entry, batch);
    if (result.errorCode === ErrorCode.NONE && result.duplicateOf < 0) {
      this.scratch.set(batch.producerId, advance(entry, batch, baseOffset));
    }
    return result;
  }

  private entry(producerId: number): ProducerEntry | undefined {
    const own = this.scratch.get(producerId);
    if (own) return own;
    const committed = this.committed.get(producerId);
    return (
      committed && {
        epoch: committed.epoch,
        lastSequence: committed.lastSequence,
        recent: committed.recent.slice(),
      }
    );
  }
}
