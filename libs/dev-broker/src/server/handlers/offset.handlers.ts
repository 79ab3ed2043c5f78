import { OffsetCommitApi, OffsetFetchApi } from '../../protocol/messages';
import { ErrorCode } from '../../protocol/error-codes';
import { BrokerState, handler, HandlerRegistration } from '../handler';

/** Committed consumer offsets, kept by the GroupCoordinator's durable offset store. */
export function offsetHandlers(broker: BrokerState): HandlerRegistration[] {
  const { groups } = broker;
  return [
    handler(OffsetCommitApi, (request) => {
      const offsets = request.topics.flatMap((topic) =>
        topic.partitions.map((p) => ({
          topic: topic.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.committedMetadata,
        })),
      );
      const results = groups.commitOffsets({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        offsets,
      });
      // The coordinator answers in the order it was asked; map answers back onto the request.
      let next = 0;
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: results[next++]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR,
          })),
        })),
      };
    }),

    handler(OffsetFetchApi, (request) => {
      const topics =
        request.topics === null
          ? null
          : request.topics.map((topic) => ({
              topic: topic.name,
              partitions: topic.partitionIndexes,
            }));
      const fetched = groups.fetchOffsets(request.groupId, topics);
      return {
        throttleTimeMs: 0,
        errorCode: fetched.errorCode,
        topics: fetched.topics.map((topic) => ({
          name: topic.topic,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partition,
            committedOffset: p.offset,
            committedLeaderEpoch: -1,
            metadata: p.metadata,
            errorCode: p.errorCode,
          })),
        })),
      };
    }),
  ];
}
