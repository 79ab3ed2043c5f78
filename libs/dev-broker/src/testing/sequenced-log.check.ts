/**
 * Checks one partition's log against what the producer saw acknowledged. Values are
 * "<partition>:<sequence>", sequences counting from 0 per partition in send order.
 */
export interface PartitionReport {
  readonly partition: number;
  readonly records: number;
  readonly duplicates: number;
  /** Acknowledged sequences that are not in the log. */
  readonly missing: number[];
  /** Sequences in the log that were never acknowledged (nor sent). */
  readonly unexpected: string[];
  /** Places where a first occurrence came before an earlier-acknowledged sequence. */
  readonly outOfOrder: number;
  /** Offsets that break the run logStart, logStart+1, … */
  readonly offsetGaps: Array<{ expected: number; actual: number }>;
}

export function checkPartitionLog(
  partition: number,
  logStartOffset: number,
  records: ReadonlyArray<{ offset: string; value: string | null }>,
  acknowledged: readonly number[],
): PartitionReport {
  const offsetGaps: PartitionReport['offsetGaps'] = [];
  records.forEach((record, i) => {
    const expected = logStartOffset + i;
    if (Number(record.offset) !== expected && offsetGaps.length < 10)
      offsetGaps.push({ expected, actual: Number(record.offset) });
  });

  const ackPosition = new Map(acknowledged.map((seq, i) => [seq, i]));
  const seen = new Set<number>();
  const unexpected: string[] = [];
  let duplicates = 0;
  let outOfOrder = 0;
  let lastPosition = -1;
  for (const { value } of records) {
    const [valuePartition, seqText] = String(value).split(':');
    const seq = Number(seqText);
    const position = ackPosition.get(seq);
    if (Number(valuePartition) !== partition || position === undefined) {
      unexpected.push(String(value));
      continue;
    }
    if (seen.has(seq)) {
      duplicates++;
      continue;
    }
    seen.add(seq);
    if (position < lastPosition) outOfOrder++;
    lastPosition = position;
  }
  const missing = acknowledged.filter((seq) => !seen.has(seq));
  return {
    partition,
    records: records.length,
    duplicates,
    missing,
    unexpected,
    outOfOrder,
    offsetGaps,
  };
}
