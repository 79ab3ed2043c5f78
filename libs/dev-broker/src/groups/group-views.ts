import { ErrorCode } from '../protocol/error-codes';
import type { ConsumerGroup } from './consumer-group';
import type {
  GroupDescription,
  OffsetFetchResult,
  OffsetFetchTopicRequest,
} from './group-api.types';
import { EMPTY_BUFFER } from './group-member';
import type { GroupOffsets } from './offset-store';

/**
 * DescribeGroups for a group the coordinator does not know: Kafka answers NONE with state Dead
 * rather than an error, and admin tools (kafkajs setOffsets/resetOffsets) rely on that.
 */
export function describeUnknownGroup(groupId: string): GroupDescription {
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    state: 'Dead',
    protocolType: '',
    protocol: '',
    members: [],
  };
}

/**
 * DescribeGroups for a known group. Like Kafka's `GroupMetadata.summary`, metadata, assignments
 * and the protocol name are only reported when Stable; other states list bare members.
 */
export function describeGroup(group: ConsumerGroup): GroupDescription {
  const stable = group.state === 'Stable';
  return {
    errorCode: ErrorCode.NONE,
    groupId: group.groupId,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocol: stable ? (group.protocolName ?? '') : '',
    members: group.memberList.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? m.metadataFor(group.protocolName) : EMPTY_BUFFER,
      assignment: stable ? m.assignment : EMPTY_BUFFER,
    })),
  };
}

/**
 * OffsetFetch answer, in any group state (offsets outlive members). Partitions without a commit
 * answer offset -1 and metadata '' with NONE, as Kafka does; `null` topics mean every committed
 * partition.
 */
export function fetchCommittedOffsets(
  committed: GroupOffsets,
  topics: readonly OffsetFetchTopicRequest[] | null,
): OffsetFetchResult {
  const wanted =
    topics ??
    [...committed]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions.keys()].sort((a, b) => a - b),
      }));
  return {
    errorCode: ErrorCode.NONE,
    topics: wanted.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((partition) => {
        const offset = committed.get(topic)?.get(partition);
        return {
          partition,
          offset: offset?.offset ?? -1,
          // Kafka stores a missing commit metadata as '' and answers '' for no commit at all.
          metadata: offset?.metadata ?? '',
          errorCode: ErrorCode.NONE,
        };
      }),
    })),
  };
}
