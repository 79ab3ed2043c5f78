import type { ErrorCode } from '../protocol/error-codes';
import type { GroupState } from './group-state-table';

/** One protocol a member can speak (e.g. `range`), with its opaque subscription metadata. */
export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

/** A decoded JoinGroup request. `memberId` is `''` for a member joining for the first time. */
export interface JoinGroupRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has no rebalance timeout; values <= 0 fall back to the session timeout. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
}

/** A member as the leader sees it in its JoinGroup answer: metadata is for the chosen protocol. */
export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** The JoinGroup answer. Only the leader gets a non-empty `members` list. */
export interface JoinGroupResult {
  errorCode: ErrorCode;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: JoinGroupMember[];
}

/** One member's assignment as sent by the leader in SyncGroup. */
export interface MemberAssignment {
  memberId: string;
  assignment: Buffer;
}

/**
 * A decoded SyncGroup request. `protocolType`/`protocolName` exist from SyncGroup v5; leave them
 * undefined or null for older versions and they are not checked.
 */
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: MemberAssignment[];
}

/** The SyncGroup answer; `protocolType`/`protocolName` are for SyncGroup v5+ responses. */
export interface SyncGroupResult {
  errorCode: ErrorCode;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** A decoded Heartbeat request. */
export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** Who is leaving: by member id, or (memberId `''`) by static group instance id. */
export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

/** A decoded LeaveGroup request; v0–v2 carry exactly one member. */
export interface LeaveGroupRequest {
  groupId: string;
  members: MemberIdentity[];
}

/** Per-member outcome of a LeaveGroup. */
export interface MemberLeaveResult extends MemberIdentity {
  errorCode: ErrorCode;
}

/**
 * The LeaveGroup answer. Like Kafka, the top-level code stays NONE when only members fail;
 * a v0–v2 encoder should surface `members[0].errorCode` as its single error code.
 */
export interface LeaveGroupResult {
  errorCode: ErrorCode;
  members: MemberLeaveResult[];
}

/** One partition offset to commit. */
export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

/** A decoded OffsetCommit request; generationId -1 with memberId `''` is a simple commit. */
export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  offsets: OffsetCommitEntry[];
}

/** Per-partition outcome of an OffsetCommit. */
export interface OffsetCommitPartitionResult {
  topic: string;
  partition: number;
  errorCode: ErrorCode;
}

/** Partitions of one topic whose committed offsets are asked for. */
export interface OffsetFetchTopicRequest {
  topic: string;
  partitions: number[];
}

/** A committed offset as fetched: offset -1 (and metadata '') when nothing was committed. */
export interface OffsetFetchPartitionResult {
  partition: number;
  offset: number;
  metadata: string | null;
  errorCode: ErrorCode;
}

/** Committed offsets of one topic. */
export interface OffsetFetchTopicResult {
  topic: string;
  partitions: OffsetFetchPartitionResult[];
}

/** The OffsetFetch answer. */
export interface OffsetFetchResult {
  errorCode: ErrorCode;
  topics: OffsetFetchTopicResult[];
}

/** A member in a DescribeGroups answer; metadata and assignment are only filled when Stable. */
export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

/** The DescribeGroups answer for one group; unknown groups describe as `Dead`. */
export interface GroupDescription {
  errorCode: ErrorCode;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: DescribedMember[];
}

/** One entry of a ListGroups answer. */
export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}
