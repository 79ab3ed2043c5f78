import { ErrorCode } from '../protocol/error-codes';
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResult,
  MemberIdentity,
  SyncGroupRequest,
  SyncGroupResult,
} from './group-api.types';
import { GroupLifecycle } from './group-lifecycle';
import type { GroupMember } from './group-member';
import { joinFailure, syncFailure } from './group-results';
import { assertNever, type GroupState } from './group-state-table';

/** Settings shared by every group of a coordinator. */
export interface ConsumerGroupOptions {
  initialRebalanceDelayMs: number;
}

/**
 * One consumer group's classic-protocol state machine, seen from the requests: decides per
 * JoinGroup/SyncGroup/Heartbeat/LeaveGroup/OffsetCommit and per state what happens, and lets
 * {@link GroupLifecycle} carry out the transitions. Checks that need no group (group id, session
 * timeout bounds) are the coordinator's job.
 */
export class ConsumerGroup {
  private readonly lifecycle: GroupLifecycle;

  constructor(
    readonly groupId: string,
    options: ConsumerGroupOptions,
  ) {
    this.lifecycle = new GroupLifecycle(groupId, options.initialRebalanceDelayMs);
  }

  /** Current state. */
  get state(): GroupState {
    return this.lifecycle.state;
  }

  /** Current generation; 0 until the first rebalance completes. */
  get generationId(): number {
    return this.lifecycle.generationId;
  }

  /** Protocol type of the members (`consumer`), or null if the group never had members. */
  get protocolType(): string | null {
    return this.lifecycle.members.protocolType;
  }

  /** Protocol chosen for the current generation, or null when there is none. */
  get protocolName(): string | null {
    return this.lifecycle.protocolName;
  }

  /** Current leader's member id, or null without members. */
  get leaderId(): string | null {
    return this.lifecycle.members.leaderId;
  }

  /** Members in join order. */
  get memberList(): readonly GroupMember[] {
    return this.lifecycle.members.list();
  }

  /** Handles JoinGroup; the promise settles once this member's next generation is known. */
  join(request: JoinGroupRequest): Promise<JoinGroupResult> {
    const { members } = this.lifecycle;
    if (this.state === 'Dead') {
      return done(joinFailure(request.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    if (request.memberId === '') return this.joinNewMember(request);
    const member = members.get(request.memberId);
    if (member === undefined)
      return done(joinFailure(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    if (!members.accepts(request, member)) {
      return done(joinFailure(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    member.restartSession();
    const state = this.state;
    switch (state) {
      case 'PreparingRebalance':
        return this.lifecycle.rejoin(member, request);
      case 'CompletingRebalance':
        // Unchanged protocols: the member only missed its JoinGroup answer, so repeat it.
        return member.matches(request.protocols)
          ? done(this.lifecycle.joinAnswerFor(member))
          : this.lifecycle.rejoin(member, request);
      case 'Stable':
        // A leader rejoining a stable group wants to reassign (e.g. its topic pattern matched a
        // new topic), so only followers with unchanged protocols are answered directly.
        return member.memberId !== members.leaderId && member.matches(request.protocols)
          ? done(this.lifecycle.joinAnswerFor(member))
          : this.lifecycle.rejoin(member, request);
      case 'Empty':
        return done(joinFailure(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      default:
        return assertNever(state);
    }
  }

  /** Handles SyncGroup; in CompletingRebalance every member waits for the leader's assignment. */
  sync(request: SyncGroupRequest): Promise<SyncGroupResult> {
    const error = this.checkMember(request.memberId, request.generationId);
    if (error !== ErrorCode.NONE) return done(syncFailure(error));
    const member = this.lifecycle.members.get(request.memberId) as GroupMember;
    if (
      (request.protocolType != null && request.protocolType !== this.protocolType) ||
      (request.protocolName != null && request.protocolName !== this.protocolName)
    ) {
      return done(syncFailure(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const state = this.state;
    switch (state) {
      case 'Empty':
        return done(syncFailure(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'Dead':
        return done(syncFailure(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      case 'PreparingRebalance':
        return done(syncFailure(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance':
        member.restartSession();
        return this.lifecycle.awaitSync(member, request.assignments);
      case 'Stable':
        member.restartSession();
        return done(this.lifecycle.syncStable(member));
      default:
        return assertNever(state);
    }
  }

  /** Handles Heartbeat; REBALANCE_IN_PROGRESS is how members learn that they must rejoin. */
  heartbeat(request: HeartbeatRequest): ErrorCode {
    const error = this.checkMember(request.memberId, request.generationId);
    if (error !== ErrorCode.NONE) return error;
    const member = this.lifecycle.members.get(request.memberId) as GroupMember;
    const state = this.state;
    switch (state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'Dead':
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case 'PreparingRebalance':
        member.restartSession();
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        member.restartSession();
        return ErrorCode.NONE;
      default:
        return assertNever(state);
    }
  }

  /** Removes a leaving member (by id, or by static instance id when memberId is ''). */
  leave(identity: MemberIdentity): ErrorCode {
    const { members } = this.lifecycle;
    const member =
      identity.memberId === ''
        ? members.findByInstanceId(identity.groupInstanceId)
        : members.get(identity.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.lifecycle.removeMember(member);
    return ErrorCode.NONE;
  }

  /**
   * Whether an OffsetCommit may be stored (Kafka's `validateOffsetCommit` + `doCommitOffsets`).
   * PreparingRebalance still accepts member commits so consumers can save progress before they
   * rejoin; only CompletingRebalance, where the new assignment is unknown, refuses.
   */
  validateCommit(generationId: number, memberId: string): ErrorCode {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && memberId === '') {
      // A "simple" commit from a client that assigns partitions itself.
      return this.lifecycle.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    }
    const error = this.checkMember(memberId, generationId);
    if (error !== ErrorCode.NONE) return error;
    const state = this.state;
    switch (state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'CompletingRebalance':
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'PreparingRebalance':
      case 'Stable':
        this.lifecycle.members.get(memberId)?.restartSession();
        return ErrorCode.NONE;
      default:
        return assertNever(state);
    }
  }

  /** Marks a deleted (memberless) group Dead so late timers and callers see that it is gone. */
  markDead(): void {
    this.lifecycle.markDead();
  }

  /** Stops every timer and answers parked requests with COORDINATOR_NOT_AVAILABLE. */
  shutdown(): void {
    this.lifecycle.shutdown();
  }

  private joinNewMember(request: JoinGroupRequest): Promise<JoinGroupResult> {
    const { members } = this.lifecycle;
    // Static membership is reduced to "the newest instance wins": the previous member with this
    // group.instance.id is replaced (and the group rebalances) instead of being fenced.
    const previous = members.findByInstanceId(request.groupInstanceId);
    if (!members.accepts(request, previous)) {
      return done(joinFailure('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (previous !== undefined) this.lifecycle.removeMember(previous);
    return this.lifecycle.addMember(request);
  }

  /** Common checks of SyncGroup, Heartbeat and member commits, in Kafka's order. */
  private checkMember(memberId: string, generationId: number): ErrorCode {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.lifecycle.members.get(memberId) === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }
}

function done<T>(value: T): Promise<T> {
  return Promise.resolve(value);
}
