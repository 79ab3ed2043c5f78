import { ErrorCode } from '../../protocol/error-codes';
import { InitProducerIdApi, ProduceApi } from '../../protocol/messages';
import { splitRecordBatches } from '../../records/record-batch';
import { BrokerState, handler, HandlerRegistration, NO_RESPONSE } from '../handler';

const VALID_ACKS = new Set([0, 1, -1]);

export function produceHandlers(broker: BrokerState): HandlerRegistration[] {
  const producePartition = (
    topic: string,
    index: number,
    records: Buffer | null,
    acks: number,
    transactional: boolean,
    now: number,
  ) => {
    const answer = (
      errorCode: number,
      errorMessage: string | null = null,
      baseOffset = -1,
      logStartOffset = -1,
    ) => ({
      index,
      errorCode,
      baseOffset,
      logAppendTimeMs: -1,
      logStartOffset,
      recordErrors: [],
      errorMessage,
    });
    if (transactional)
      return answer(
        ErrorCode.INVALID_REQUEST,
        'transactions are not supported by the development broker',
      );
    if (!VALID_ACKS.has(acks))
      return answer(ErrorCode.INVALID_REQUIRED_ACKS, 'acks must be 0, 1 or -1');
    const log = broker.logs.partition(topic, index);
    if (!log) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (records === null || records.length === 0)
      return answer(ErrorCode.CORRUPT_MESSAGE, 'no records');
    const split = splitRecordBatches(records);
    if ('errorCode' in split) return answer(split.errorCode, 'invalid record batch');
    const result = log.append(split.batches, now);
    return answer(result.errorCode, null, result.baseOffset, result.logStartOffset);
  };

  return [
    handler(ProduceApi, (request) => {
      const now = Date.now();
      const transactional = request.transactionalId !== null;
      const responses = request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) =>
          producePartition(topic.name, p.index, p.records, request.acks, transactional, now),
        ),
      }));
      // acks=0 producers read no answer; sending one would desynchronise them.
      if (request.acks === 0) return NO_RESPONSE;
      return { responses, throttleTimeMs: 0 };
    }),

    handler(InitProducerIdApi, (request) => {
      if (request.transactionalId !== null) {
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.INVALID_REQUEST,
          producerId: -1,
          producerEpoch: -1,
        };
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        producerId: broker.producerIds.next(),
        producerEpoch: 0,
      };
    }),
  ];
}
