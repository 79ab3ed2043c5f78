import type {
  GroupProtocol,
  JoinGroupRequest,
  JoinGroupResult,
  SyncGroupResult,
} from './group-api.types';
import { startUnrefTimer } from './unref-timer';

/** Shared zero-length buffer for "no metadata" / "no assignment". */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * One member of a consumer group: its identity, what it speaks, its current assignment, the
 * JoinGroup/SyncGroup requests it is waiting on and its session timer.
 */
export class GroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  sessionTimeoutMs = 0;
  rebalanceTimeoutMs = 0;
  protocolType = '';
  protocols: readonly GroupProtocol[] = [];
  /** The leader's assignment for this member in the current generation. */
  assignment: Buffer = EMPTY_BUFFER;

  // Lists, not single slots: a client that times out a request and retries must not leave the
  // first request hanging forever, so every waiter gets the same answer.
  private joinWaiters: Array<(result: JoinGroupResult) => void> = [];
  private syncWaiters: Array<(result: SyncGroupResult) => void> = [];
  private sessionTimer: NodeJS.Timeout | null = null;

  /**
   * @param onSessionExpired called when no heartbeat, join or sync arrived for a session timeout.
   */
  constructor(
    memberId: string,
    request: JoinGroupRequest,
    private readonly onSessionExpired: (member: GroupMember) => void,
  ) {
    this.memberId = memberId;
    this.groupInstanceId = request.groupInstanceId;
    this.clientId = request.clientId;
    this.clientHost = request.clientHost;
    this.updateFrom(request);
  }

  /** Takes over the timeouts and protocols of a (re)join. */
  updateFrom(request: JoinGroupRequest): void {
    this.sessionTimeoutMs = request.sessionTimeoutMs;
    this.rebalanceTimeoutMs =
      request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs;
    this.protocolType = request.protocolType;
    this.protocols = request.protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
  }

  /** Whether a JoinGroup of this member waits for the rebalance to complete. */
  get isAwaitingJoin(): boolean {
    return this.joinWaiters.length > 0;
  }

  /** Whether a SyncGroup of this member waits for the leader's assignment. */
  get isAwaitingSync(): boolean {
    return this.syncWaiters.length > 0;
  }

  /** Parks a JoinGroup until {@link answerJoin}. */
  awaitJoin(): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.joinWaiters.push(resolve));
  }

  /** Answers every parked JoinGroup of this member. */
  answerJoin(result: JoinGroupResult): void {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const resolve of waiters) resolve(result);
  }

  /** Parks a SyncGroup until {@link answerSync}. */
  awaitSync(): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Answers every parked SyncGroup of this member. */
  answerSync(result: SyncGroupResult): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve(result);
  }

  /** Same protocols, same order, same metadata bytes: a rejoin that changes nothing. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every(
        (p, i) =>
          p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata),
      )
    );
  }

  /** Whether this member listed the protocol at all. */
  supports(protocolName: string): boolean {
    return this.protocols.some((p) => p.name === protocolName);
  }

  /** This member's metadata for a protocol; empty when it does not speak it. */
  metadataFor(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BUFFER;
  }

  /** This member's vote: its most preferred protocol among the candidates. */
  preferredAmong(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name;
  }

  /** (Re)starts the session timer; any heartbeat, join or sync counts as a sign of life. */
  restartSession(): void {
    this.stopSession();
    this.sessionTimer = startUnrefTimer(this.sessionTimeoutMs, () => {
      this.sessionTimer = null;
      this.onSessionExpired(this);
    });
  }

  /** Cancels the session timer (member removed or coordinator closing). */
  stopSession(): void {
    if (this.sessionTimer !== null) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
  }
}
