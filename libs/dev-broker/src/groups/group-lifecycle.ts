import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes';
import type {
  JoinGroupRequest,
  JoinGroupResult,
  MemberAssignment,
  SyncGroupResult,
} from './group-api.types';
import { EMPTY_BUFFER, GroupMember } from './group-member';
import { GroupMembership } from './group-membership';
import { joinFailure, syncFailure } from './group-results';
import { assertNever, assertTransition, type GroupState } from './group-state-table';
import { PendingSyncTracker } from './pending-sync-tracker';
import { selectProtocol } from './protocol-selector';
import { RebalanceTimer } from './rebalance-timer';

/**
 * The state-changing half of a consumer group: moves it through the transition table in
 * `group-state-table.ts` as members come and go, rebalances complete and timers fire.
 * `ConsumerGroup` decides, per request, which of these moves to make.
 */
export class GroupLifecycle {
  /** The group's members, leader and protocol type. */
  readonly members = new GroupMembership();
  private currentState: GroupState = 'Empty';
  private generation = 0;
  private protocol: string | null = null;
  private readonly rebalance = new RebalanceTimer();
  private readonly pendingSync = new PendingSyncTracker();

  constructor(
    private readonly groupId: string,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  /** Current state. */
  get state(): GroupState {
    return this.currentState;
  }

  /** Current generation; 0 until the first rebalance completes. */
  get generationId(): number {
    return this.generation;
  }

  /** Protocol chosen for the current generation, or null when there is none. */
  get protocolName(): string | null {
    return this.protocol;
  }

  /** Adds a brand-new member (id `${clientId}-${uuid}`) whose JoinGroup is parked. */
  addMember(request: JoinGroupRequest): Promise<JoinGroupResult> {
    const memberId = `${request.clientId}-${randomUUID()}`;
    const member = new GroupMember(memberId, request, (m) => this.onSessionExpired(m));
    this.members.add(member);
    this.rebalance.noteNewMember();
    member.restartSession();
    const answer = member.awaitJoin();
    this.rebalanceOrCheckJoins();
    return answer;
  }

  /** Parks a known member's JoinGroup with its new protocols and (re)starts the rebalance. */
  rejoin(member: GroupMember, request: JoinGroupRequest): Promise<JoinGroupResult> {
    member.updateFrom(request);
    const answer = member.awaitJoin();
    this.rebalanceOrCheckJoins();
    return answer;
  }

  /** Removes a member (left, expired or replaced) and rebalances the rest. */
  removeMember(member: GroupMember): void {
    this.members.detach(member, ErrorCode.UNKNOWN_MEMBER_ID);
    this.pendingSync.settle(member.memberId);
    // Empty groups have nobody to rebalance; Kafka's removal never starts a rebalance there.
    if (this.currentState !== 'Empty') this.rebalanceOrCheckJoins();
  }

  /** Parks a SyncGroup in CompletingRebalance; the leader's one completes the rebalance. */
  awaitSync(
    member: GroupMember,
    assignments: readonly MemberAssignment[],
  ): Promise<SyncGroupResult> {
    this.pendingSync.settle(member.memberId);
    const answer = member.awaitSync();
    if (member.memberId === this.members.leaderId) this.completeSync(assignments);
    return answer;
  }

  /** A SyncGroup in Stable: answered at once with the stored assignment. */
  syncStable(member: GroupMember): SyncGroupResult {
    this.pendingSync.settle(member.memberId);
    return this.syncAnswerFor(member);
  }

  /** This generation's JoinGroup answer for a member; only the leader sees the members. */
  joinAnswerFor(member: GroupMember): JoinGroupResult {
    const leader = this.members.leaderId ?? '';
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generation,
      protocolType: this.members.protocolType,
      protocolName: this.protocol,
      leader,
      memberId: member.memberId,
      members: member.memberId === leader ? this.members.leaderView(this.protocol) : [],
    };
  }

  /** Marks a deleted (memberless) group Dead so late timers and callers see that it is gone. */
  markDead(): void {
    this.stopTimers();
    this.transitionTo('Dead');
  }

  /** Stops every timer and answers parked requests with COORDINATOR_NOT_AVAILABLE. */
  shutdown(): void {
    this.stopTimers();
    for (const member of this.members.list()) {
      member.stopSession();
      member.answerJoin(joinFailure(member.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
      member.answerSync(syncFailure(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
  }

  /** After a join or a removal: start a rebalance, or see whether the running one is done. */
  private rebalanceOrCheckJoins(): void {
    const state = this.currentState;
    switch (state) {
      case 'Empty':
      case 'CompletingRebalance':
      case 'Stable':
        this.prepareRebalance();
        return;
      case 'PreparingRebalance':
        this.tryCompleteJoin();
        return;
      case 'Dead':
        return;
      default:
        assertNever(state);
    }
  }

  private onSessionExpired(member: GroupMember): void {
    if (this.members.get(member.memberId) !== member) return;
    // Like Kafka, a member parked in JoinGroup/SyncGroup cannot heartbeat and is kept alive; the
    // rebalance and pending-sync timeouts bound that wait instead.
    if (member.isAwaitingJoin || member.isAwaitingSync) {
      member.restartSession();
      return;
    }
    this.removeMember(member);
  }

  private prepareRebalance(): void {
    const from = this.currentState;
    if (from === 'CompletingRebalance') {
      // Members parked in SyncGroup would wait for an assignment that will never come.
      for (const member of this.members.list()) {
        member.assignment = EMPTY_BUFFER;
        if (!member.isAwaitingSync) continue;
        member.answerSync(syncFailure(ErrorCode.REBALANCE_IN_PROGRESS));
        member.restartSession();
      }
    }
    this.pendingSync.stop();
    this.transitionTo('PreparingRebalance');
    const timeoutMs = this.members.rebalanceTimeoutMs();
    if (from === 'Empty') {
      const delayMs = this.initialRebalanceDelayMs;
      this.rebalance.startInitialDelay(delayMs, timeoutMs, () => this.completeJoin());
    } else {
      this.rebalance.startRebalanceTimeout(timeoutMs, () => this.completeJoin());
      this.tryCompleteJoin();
    }
  }

  private tryCompleteJoin(): void {
    if (this.currentState !== 'PreparingRebalance' || this.rebalance.inInitialDelay) return;
    if (this.members.list().every((m) => m.isAwaitingJoin)) this.completeJoin();
  }

  /** Ends PreparingRebalance: drops members that did not rejoin, opens the next generation. */
  private completeJoin(): void {
    if (this.currentState !== 'PreparingRebalance') return;
    this.rebalance.cancel();
    for (const member of this.members.list()) {
      if (!member.isAwaitingJoin) this.members.detach(member, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    this.generation += 1;
    const members = this.members.list();
    if (members.length === 0) {
      this.protocol = null;
      this.transitionTo('Empty');
      return;
    }
    this.protocol = selectProtocol(members);
    this.transitionTo('CompletingRebalance');
    this.pendingSync.start(
      members.map((m) => m.memberId),
      this.members.rebalanceTimeoutMs(),
      (laggards) => this.dropUnsynced(laggards),
    );
    for (const member of members) {
      member.answerJoin(this.joinAnswerFor(member));
      member.restartSession();
    }
  }

  private completeSync(assignments: readonly MemberAssignment[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const members = this.members.list();
    for (const member of members) member.assignment = byMember.get(member.memberId) ?? EMPTY_BUFFER;
    this.transitionTo('Stable');
    for (const member of members) {
      if (!member.isAwaitingSync) continue;
      member.answerSync(this.syncAnswerFor(member));
      member.restartSession();
    }
  }

  private syncAnswerFor(member: GroupMember): SyncGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: this.members.protocolType,
      protocolName: this.protocol,
      assignment: member.assignment,
    };
  }

  private dropUnsynced(memberIds: readonly string[]): void {
    if (this.currentState !== 'CompletingRebalance' && this.currentState !== 'Stable') return;
    for (const memberId of memberIds) {
      const member = this.members.get(memberId);
      if (member !== undefined) this.members.detach(member, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    this.prepareRebalance();
  }

  private stopTimers(): void {
    this.rebalance.cancel();
    this.pendingSync.stop();
  }

  private transitionTo(next: GroupState): void {
    assertTransition(this.groupId, this.currentState, next);
    this.currentState = next;
  }
}
