import { ErrorCode } from '../protocol/error-codes';
import { ConsumerGroup } from './consumer-group';
import type {
  GroupDescription,
  GroupListing,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupRequest,
  LeaveGroupResult,
  OffsetCommitPartitionResult,
  OffsetCommitRequest,
  OffsetFetchResult,
  OffsetFetchTopicRequest,
  SyncGroupRequest,
  SyncGroupResult,
} from './group-api.types';
import { joinFailure, syncFailure } from './group-results';
import { describeGroup, describeUnknownGroup, fetchCommittedOffsets } from './group-views';
import type { OffsetStore } from './offset-store';

/** Configuration of a {@link GroupCoordinator}. */
export interface GroupCoordinatorOptions {
  /** Durable committed offsets; owned by the caller, which closes it after the coordinator. */
  offsetStore: OffsetStore;
  /** Wait after the first member joins an Empty group so others land in the same generation. */
  initialRebalanceDelayMs: number;
  /** Smallest session timeout a member may ask for (Kafka's group.min.session.timeout.ms). */
  minSessionTimeoutMs: number;
  /** Largest session timeout a member may ask for (Kafka's group.max.session.timeout.ms). */
  maxSessionTimeoutMs: number;
}

/**
 * The broker's group coordinator for Kafka's classic consumer-group protocol: protocol-agnostic
 * handlers for JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
 * DescribeGroups, ListGroups and DeleteGroups. Groups with committed offsets are restored (Empty)
 * from the offset store; members and generations live in memory only.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private closed = false;

  constructor(private readonly options: GroupCoordinatorOptions) {
    for (const groupId of options.offsetStore.groups()) this.groupFor(groupId);
  }

  /** JoinGroup: settles when the rebalance this join takes part in completes. */
  join(request: JoinGroupRequest): Promise<JoinGroupResult> {
    const { memberId } = request;
    const error = this.checkGroupRequest(request.groupId);
    if (error !== ErrorCode.NONE) return Promise.resolve(joinFailure(memberId, error));
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.options;
    if (
      request.sessionTimeoutMs < minSessionTimeoutMs ||
      request.sessionTimeoutMs > maxSessionTimeoutMs
    ) {
      return Promise.resolve(joinFailure(memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    let group = this.groups.get(request.groupId);
    if (group === undefined) {
      if (memberId !== '') {
        return Promise.resolve(joinFailure(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      }
      // Checked before creating the group so a rejected join leaves no empty group behind.
      if (request.protocolType === '' || request.protocols.length === 0) {
        return Promise.resolve(joinFailure(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      }
      group = this.groupFor(request.groupId);
    }
    return group.join(request);
  }

  /** SyncGroup: the leader hands out assignments; followers wait for theirs. */
  sync(request: SyncGroupRequest): Promise<SyncGroupResult> {
    const error = this.checkGroupRequest(request.groupId);
    if (error !== ErrorCode.NONE) return Promise.resolve(syncFailure(error));
    const group = this.groups.get(request.groupId);
    if (group === undefined) return Promise.resolve(syncFailure(ErrorCode.UNKNOWN_MEMBER_ID));
    return group.sync(request);
  }

  /** Heartbeat: keeps the member's session alive and tells it when to rejoin. */
  heartbeat(request: HeartbeatRequest): ErrorCode {
    const error = this.checkGroupRequest(request.groupId);
    if (error !== ErrorCode.NONE) return error;
    return this.groups.get(request.groupId)?.heartbeat(request) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** LeaveGroup: removes the members and rebalances the rest. */
  leave(request: LeaveGroupRequest): LeaveGroupResult {
    const error = this.checkGroupRequest(request.groupId);
    if (error !== ErrorCode.NONE) return { errorCode: error, members: [] };
    const group = this.groups.get(request.groupId);
    return {
      errorCode: ErrorCode.NONE,
      members: request.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: group?.leave(m) ?? ErrorCode.UNKNOWN_MEMBER_ID,
      })),
    };
  }

  /**
   * OffsetCommit: validates the committer, then writes durably before answering.
   * @throws when the offsets log cannot be written (the request must fail, not be acknowledged)
   */
  commitOffsets(request: OffsetCommitRequest): OffsetCommitPartitionResult[] {
    const errorCode = this.validateCommit(request);
    if (errorCode === ErrorCode.NONE) {
      this.options.offsetStore.commit(request.groupId, request.offsets);
      this.groupFor(request.groupId);
    }
    return request.offsets.map(({ topic, partition }) => ({ topic, partition, errorCode }));
  }

  /** OffsetFetch: committed offsets, -1 for partitions never committed; `null` = all. */
  fetchOffsets(groupId: string, topics: OffsetFetchTopicRequest[] | null): OffsetFetchResult {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    return fetchCommittedOffsets(this.options.offsetStore.get(groupId), topics);
  }

  /** DescribeGroups for one group; an unknown group is reported Dead, not as an error. */
  describe(groupId: string): GroupDescription {
    if (this.closed) {
      return { ...describeUnknownGroup(groupId), errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    }
    const group = this.groups.get(groupId);
    return group === undefined ? describeUnknownGroup(groupId) : describeGroup(group);
  }

  /** ListGroups: every known group, including Empty ones that only hold offsets. */
  list(): GroupListing[] {
    return [...this.groups.values()].map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType ?? '',
      state: g.state,
    }));
  }

  /**
   * DeleteGroups for one group: only groups without members, offsets included (durably).
   * @throws when the offsets log cannot be written
   */
  delete(groupId: string): ErrorCode {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    this.options.offsetStore.deleteGroup(groupId);
    group.markDead();
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  /**
   * Drops every group's committed offsets of a deleted topic.
   * @throws when the offsets log cannot be written
   */
  removeTopic(topic: string): void {
    this.options.offsetStore.deleteTopic(topic);
  }

  /**
   * Stops all timers; parked JoinGroup/SyncGroup requests answer COORDINATOR_NOT_AVAILABLE, and so
   * does every later request. Does not close the offset store, which the caller owns.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.groups.values()) group.shutdown();
  }

  private validateCommit(request: OffsetCommitRequest): ErrorCode {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const group = this.groups.get(request.groupId);
    if (group !== undefined) return group.validateCommit(request.generationId, request.memberId);
    if (request.generationId >= 0) {
      // Like Kafka: a generation for a group that does not exist comes from a stale member.
      return ErrorCode.ILLEGAL_GENERATION;
    }
    return request.memberId === '' ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Checks shared by the group-management APIs (they need a non-empty group id). */
  private checkGroupRequest(groupId: string): ErrorCode {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE;
  }

  private groupFor(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      const { initialRebalanceDelayMs } = this.options;
      group = new ConsumerGroup(groupId, { initialRebalanceDelayMs });
      this.groups.set(groupId, group);
    }
    return group;
  }
}
