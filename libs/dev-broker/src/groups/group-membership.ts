import type { ErrorCode } from '../protocol/error-codes';
import type { JoinGroupMember, JoinGroupRequest } from './group-api.types';
import type { GroupMember } from './group-member';
import { joinFailure, syncFailure } from './group-results';
import { acceptsProtocols } from './protocol-selector';

/**
 * The members of one group, its leader and its protocol type. Kept apart from the state machine
 * so that one only decides *when* members come and go, not how the bookkeeping is done.
 */
export class GroupMembership {
  // Insertion order matters: Kafka hands leadership to the oldest remaining member.
  private readonly byId = new Map<string, GroupMember>();
  private leader: string | null = null;
  private type: string | null = null;

  /** Number of members. */
  get size(): number {
    return this.byId.size;
  }

  /** The leader's member id, or null without members. */
  get leaderId(): string | null {
    return this.leader;
  }

  /** Protocol type fixed by the first member (kept once the group empties, like Kafka). */
  get protocolType(): string | null {
    return this.type;
  }

  /** The member with this id, if any. */
  get(memberId: string): GroupMember | undefined {
    return this.byId.get(memberId);
  }

  /** Members in join order (a copy, safe to iterate while members are removed). */
  list(): GroupMember[] {
    return [...this.byId.values()];
  }

  /** The member that joined with this static group.instance.id, if any. */
  findByInstanceId(groupInstanceId: string | null): GroupMember | undefined {
    if (groupInstanceId === null) return undefined;
    return this.list().find((m) => m.groupInstanceId === groupInstanceId);
  }

  /** Whether a (re)join with these protocols is compatible with everybody else. */
  accepts(request: JoinGroupRequest, self: GroupMember | undefined): boolean {
    const others = this.list().filter((m) => m !== self);
    const groupType = this.byId.size > 0 ? this.type : null;
    return acceptsProtocols(others, groupType, request.protocolType, request.protocols);
  }

  /** Adds a member; the first member of an empty group fixes the protocol type and leads. */
  add(member: GroupMember): void {
    if (this.byId.size === 0) this.type = member.protocolType;
    this.byId.set(member.memberId, member);
    this.leader ??= member.memberId;
  }

  /** Removes a member, answering its parked requests so no client waits forever. */
  detach(member: GroupMember, errorCode: ErrorCode): void {
    member.stopSession();
    // Kafka answers with an empty member id so the client starts over as a new member.
    member.answerJoin(joinFailure('', errorCode));
    member.answerSync(syncFailure(errorCode));
    this.byId.delete(member.memberId);
    if (this.leader === member.memberId) this.leader = this.byId.keys().next().value ?? null;
  }

  /** The group's rebalance timeout: the longest any member asked for. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.byId.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** What the leader needs to compute assignments: every member's metadata for `protocol`. */
  leaderView(protocol: string | null): JoinGroupMember[] {
    return this.list().map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(protocol),
    }));
  }
}
