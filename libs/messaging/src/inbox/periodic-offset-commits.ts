import type { EachBatchPayload } from 'kafkajs';
import type { MessagingLogger } from '../shared/backoff';

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
 *
 * `beforeCommit` runs between taking the resolved offsets and committing them (a WAL flush, when
 * inbox transactions commit without waiting for it): whatever those offsets stand for is durable
 * before the group moves past it. Should it fail, nothing is committed this round.
 */
export class PeriodicOffsetCommits {
  private commitResolved: (() => Promise<void>) | undefined;
  private committing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly logger: MessagingLogger,
    private readonly groupId: string,
    private readonly beforeCommit?: () => Promise<void>,
  ) {}

  /** Learns, from a batch, how to commit this consumer's resolved offsets; starts the timer. */
  track({ commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload): void {
    // Both act on the consumer group, not on the batch: any batch's pair serves all.
    this.commitResolved ??= async () => {
      const { topics } = uncommittedOffsets();
      if (topics.length === 0) return;
      await this.beforeCommit?.();
      await commitOffsetsIfNecessary({ topics });
    };
    this.timer ??= setInterval(() => void this.commit(), this.intervalMs).unref();
  }

  /** Commits what is resolved now; one commit at a time. Failures are logged, not thrown. */
  commit(): Promise<void> {
    const commitResolved = this.commitResolved;
    if (!commitResolved) return Promise.resolve();
    this.committing ??= commitResolved()
      .catch((error: Error) =>
        // A rebalance or a broker restart: the offsets stay resolved, the next round retries.
        this.logger.warn(`inbox ${this.groupId}: offset commit failed: ${error.message}`),
      )
      .finally(() => (this.committing = undefined));
    return this.committing;
  }

  /** Stops the timer and commits the last resolved offsets (after the consumer stopped). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.committing;
    await this.commit();
  }
}
