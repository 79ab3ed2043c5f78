import { ApiKey, defineApi, throttleTimeMs } from '../api';
import { f } from '../schema';

export const OffsetCommitApi = defineApi({
  key: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  versions: [0, 7],
  request: {
    groupId: f.string,
    generationId: f.int32.since(1).otherwise(-1),
    memberId: f.string.since(1),
    groupInstanceId: f.nullableString.since(7),
    retentionTimeMs: f.int64.since(2).until(4).otherwise(-1),
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(
          f.struct({
            partitionIndex: f.int32,
            committedOffset: f.int64,
            committedLeaderEpoch: f.int32.since(6).otherwise(-1),
            commitTimestamp: f.int64.since(1).until(1).otherwise(-1),
            committedMetadata: f.nullableString,
          }),
        ),
      }),
    ),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(3),
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(f.struct({ partitionIndex: f.int32, errorCode: f.int16 })),
      }),
    ),
  },
});

export const OffsetFetchApi = defineApi({
  key: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  versions: [0, 5],
  request: {
    groupId: f.string,
    // null (v2+) asks for every partition the group has committed.
    topics: f.nullableArray(f.struct({ name: f.string, partitionIndexes: f.array(f.int32) })),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(3),
    topics: f.array(
      f.struct({
        name: f.string,
        partitions: f.array(
          f.struct({
            partitionIndex: f.int32,
            committedOffset: f.int64,
            committedLeaderEpoch: f.int32.since(5),
            metadata: f.nullableString,
            errorCode: f.int16,
          }),
        ),
      }),
    ),
    errorCode: f.int16.since(2),
  },
});
