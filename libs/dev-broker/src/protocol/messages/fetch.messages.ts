import { ApiKey, defineApi, throttleTimeMs } from '../api';
import { f } from '../schema';

export const FetchApi = defineApi({
  key: ApiKey.Fetch,
  name: 'Fetch',
  // v0-v3 answer in the old message formats, which the broker does not store.
  versions: [4, 11],
  request: {
    replicaId: f.int32,
    maxWaitMs: f.int32,
    minBytes: f.int32,
    maxBytes: f.int32.since(3).otherwise(0x7fffffff),
    isolationLevel: f.int8.since(4),
    sessionId: f.int32.since(7),
    sessionEpoch: f.int32.since(7).otherwise(-1),
    topics: f.array(
      f.struct({
        topic: f.string,
        partitions: f.array(
          f.struct({
            partition: f.int32,
            currentLeaderEpoch: f.int32.since(9).otherwise(-1),
            fetchOffset: f.int64,
            logStartOffset: f.int64.since(5).otherwise(-1),
            partitionMaxBytes: f.int32,
          }),
        ),
      }),
    ),
    forgottenTopicsData: f
      .array(f.struct({ topic: f.string, partitions: f.array(f.int32) }))
      .since(7),
    rackId: f.string.since(11),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    errorCode: f.int16.since(7),
    sessionId: f.int32.since(7),
    responses: f.array(
      f.struct({
        topic: f.string,
        partitions: f.array(
          f.struct({
            partitionIndex: f.int32,
            errorCode: f.int16,
            highWatermark: f.int64,
            lastStableOffset: f.int64.since(4),
            logStartOffset: f.int64.since(5),
            abortedTransactions: f
              .nullableArray(f.struct({ producerId: f.int64, firstOffset: f.int64 }))
              .since(4),
            preferredReadReplica: f.int32.since(11),
            records: f.nullableBytes,
          }),
        ),
      }),
    ),
  },
});

export const ListOffsetsApi = defineApi({
  key: ApiKey.ListOffsets,
  name: 'ListOffsets',
  versions: [0, 5],
  request: {
    replicaId: f.int32,
    isolationLevel: f.int8.since(2),
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(
          f.struct({
            partitionIndex: f.int32,
            currentLeaderEpoch: f.int32.since(4).otherwise(-1),
            timestamp: f.int64,
            maxNumOffsets: f.int32.until(0).otherwise(1),
          }),
        ),
      }),
    ),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(2),
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(
          f.struct({
            partitionIndex: f.int32,
            errorCode: f.int16,
            oldStyleOffsets: f.array(f.int64).until(0),
            timestamp: f.int64.since(1),
            offset: f.int64.since(1),
            leaderEpoch: f.int32.since(4),
          }),
        ),
      }),
    ),
  },
});
