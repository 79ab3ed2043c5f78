import type { EachBatchPayload } from 'kafkajs';
import type { MessagingLogger } from '../shared/backoff';
import type { FlushSession } from '../shared/flush-session';

/** Options of {@link PeriodicOffsetCommits}. */
export interface PeriodicOffsetCommitsOptions {
  readonly intervalMs: number;
  readonly logger: MessagingLogger;
  readonly groupId: string;
  /**
   * For inbox transactions committed without waiting for the WAL flush: flushed on this session
   * between taking the resolved offsets and committing them, so that whatever they stand for is
   * durable before the group moves past it. Closed with the committer.
   */
  readonly flushes?: FlushSession;
  /**
   * Runs once the flush session was lost (the database crashed or restarted, most likely): the
   * offsets resolved since the last commit may stand for transactions that are gone. None of
   * them is committed, now or later; the consumer must drop them and consume again from the
   * committed offsets.
   */
  readonly onFlushSessionLost?: () => void;
}

/** What a batch gives to read and commit its consumer group's resolved offsets. */
type GroupOffsets = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

/**
 * Commits the offsets a consumer resolved, in the background, at most once per `intervalMs`,
 * for a consumer run with `autoCommit: false`.
 *
 * kafkajs 2.2.4 with `autoCommit` commits after every batch, whatever `autoCommitInterval`
 * says (its runner calls `autoCommitOffsets`, not `…IfNecessary`, once a batch is done): one
 * OffsetCommit round trip per batch, so per message for a consumer that keeps up — about eight
 * per order over the three services of bench:orders, more than its fetches. The next batch of
 * that partition waited for it, too.
 *
 * Offsets resolved since the last commit are lost in a crash or a rebalance; their messages
 * come again, and the inbox turns them into no-ops.
 */
export class PeriodicOffsetCommits {
  /** The latest batch's way to its consumer group's offsets (`track`). */
  private group: GroupOffsets | undefined;
  private committing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set once nothing more may be committed (`discard`, a lost flush session). */
  private discarded = false;

  constructor(private readonly options: PeriodicOffsetCommitsOptions) {}

  /** Learns, from a batch, how to commit this consumer's resolved offsets; starts the timer. */
  track({ commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload): void {
    if (this.discarded) return;
    // Both act on the consumer group of the batch. The latest batch's pair, not the first's:
    // a consumer that kafkajs restarts after a crash runs in a new group membership, and the
    // first pair would go on committing through the old one, which the coordinator refuses.
    this.group = { commitOffsetsIfNecessary, uncommittedOffsets };
    this.timer ??= setInterval(() => void this.commit(), this.options.intervalMs).unref();
  }

  /** Commits what is resolved now; one commit at a time. Failures are logged, not thrown. */
  commit(): Promise<void> {
    const group = this.group;
    if (!group || this.discarded) return Promise.resolve();
    this.committing ??= this.commitResolved(group)
      .catch((error: Error) =>
        // A rebalance or a broker restart: the offsets stay resolved, the next round retries.
        this.options.logger.warn(
          `inbox ${this.options.groupId}: offset commit failed: ${error.message}`,
        ),
      )
      .finally(() => (this.committing = undefined));
    return this.committing;
  }

  private async commitResolved(group: GroupOffsets): Promise<void> {
    const { topics } = group.uncommittedOffsets();
    if (topics.length === 0) return;
    const { flushes } = this.options;
    if (flushes && !(await flushes.flush())) {
      this.discard();
      this.options.onFlushSessionLost?.();
      return;
    }
    await group.commitOffsetsIfNecessary({ topics });
  }

  /** Stops the timer and commits the last resolved offsets (after the consumer stopped). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.committing;
    await this.commit();
    this.discard();
  }

  /** Stops the timer and commits nothing more: the resolved offsets are dropped. */
  discard(): void {
    this.discarded = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.options.flushes?.close();
  }
}
