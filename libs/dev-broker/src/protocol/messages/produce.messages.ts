import { ApiKey, defineApi, throttleTimeMs } from '../api';
import { f } from '../schema';

export const ProduceApi = defineApi({
  key: ApiKey.Produce,
  name: 'Produce',
  // v0-v2 carry the old message formats (magic 0/1), which the broker does not store.
  versions: [3, 8],
  request: {
    transactionalId: f.nullableString.since(3),
    acks: f.int16,
    timeoutMs: f.int32,
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(f.struct({ index: f.int32, records: f.nullableBytes })),
      }),
    ),
  },
  response: {
    responses: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(
          f.struct({
            index: f.int32,
            errorCode: f.int16,
            baseOffset: f.int64,
            logAppendTimeMs: f.int64.since(2),
            logStartOffset: f.int64.since(5),
            recordErrors: f
              .array(f.struct({ batchIndex: f.int32, batchIndexErrorMessage: f.nullableString }))
              .since(8),
            errorMessage: f.nullableString.since(8),
          }),
        ),
      }),
    ),
    throttleTimeMs: throttleTimeMs.since(1),
  },
});

export const InitProducerIdApi = defineApi({
  key: ApiKey.InitProducerId,
  name: 'InitProducerId',
  versions: [0, 1],
  request: { transactionalId: f.nullableString, transactionTimeoutMs: f.int32 },
  response: {
    throttleTimeMs,
    errorCode: f.int16,
    producerId: f.int64,
    producerEpoch: f.int16,
  },
});
