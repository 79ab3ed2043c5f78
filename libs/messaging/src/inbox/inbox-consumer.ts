import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { backoffDelay, silentLogger, sleep, type MessagingLogger } from '../shared/backoff';
import { FlushSession } from '../shared/flush-session';
import { canFlushWal } from '../shared/wal-flush';
import type { InboxConsumerOptions, IntegrationEventHandler } from './inbox-consumer.options';
import { inboxMetrics, type InboxMetrics } from './inbox-metrics';
import { InboxProcessor } from './inbox-processor';
import { PeriodicOffsetCommits } from './periodic-offset-commits';

/**
 * How long an idle consumer's fetch waits at the broker for a message (a fetch returns as soon
 * as one arrives, so this is not latency). 500 ms, the Java client's default: at 100 ms the
 * idle stack of bench:orders burned about a third more CPU (137–163 against 102–111 ms a
 * second, three alternated pairs on 2026-12-06). The broker serves a connection's
 * requests in order, so an offset commit or heartbeat sent meanwhile waits up to this long:
 * nothing for a 1 s commit interval and heartbeats a few seconds apart, and `stop()` takes up
 * to this much longer.
 */
const FETCH_MAX_WAIT_MS = 500;

/**
 * An idempotent Kafka consumer: for each message, parse (`fromKafkaMessage`), then in one
 * database transaction run the handler and record the event id in `inbox` (group, event id);
 * a known id is a duplicate: the transaction is rolled back and nothing changes. A message's
 * offset is committed (in the background, every `offsetCommitIntervalMs`) only after that
 * transaction committed — or after the message went
 * to `<topic>.dlq`: poison messages (envelope/schema errors) at once, handler failures after
 * `maxAttempts`. Partitions are consumed in parallel, each in order. Events already waiting in
 * a partition are handled several to a transaction (`maxEventsPerTransaction`); if any of them
 * fails or is a duplicate, that transaction is rolled back and they are handled one by one.
 */
export class InboxConsumer {
  private readonly handlers = new Map<string, IntegrationEventHandler>();
  private readonly logger: MessagingLogger;
  private readonly abort = new AbortController();
  private readonly metrics: InboxMetrics | undefined;
  private consumer: Consumer | undefined;
  private commits: PeriodicOffsetCommits | undefined;
  private readonly batchesInHand = new Set<Promise<void>>();
  private producer: Producer | undefined;
  /** What happens to each fetched batch; made at `start`, once what it needs is known. */
  private processor: InboxProcessor | undefined;
  private restarting: Promise<void> | undefined;
  /** `asynchronousCommit`, once the server is known to flush on demand (at `start`). */
  private commitAsynchronously = false;

  constructor(private readonly options: InboxConsumerOptions) {
    for (const [type, handler] of options.handlers ?? []) this.handlers.set(type, handler);
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.registry && inboxMetrics(options.registry);
  }

  /** The session this consumer's group membership asks for, ms. */
  get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? 30_000;
  }

  /** Adds a handler for a `ce_type` (versioned) or wire name (any version). Before `start()`. */
  on(type: string, handler: IntegrationEventHandler): this {
    this.handlers.set(type, handler);
    return this;
  }

  /**
   * Connects, subscribes and starts consuming: resolves once the consumer joined its group, or
   * after `joinWaitMs` with a warning while the join goes on.
   */
  async start(): Promise<void> {
    if (this.options.asynchronousCommit) {
      this.commitAsynchronously = await canFlushWal(this.options.pool);
      if (!this.commitAsynchronously) {
        this.logger.warn(
          `inbox ${this.options.groupId}: PostgreSQL before 17 cannot flush on demand; committing durably`,
        );
      }
    }
    this.producer = this.options.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    this.processor = new InboxProcessor({
      options: this.options,
      handlers: this.handlers,
      logger: this.logger,
      metrics: this.metrics,
      producer: this.producer,
      signal: this.abort.signal,
      commitAsynchronously: this.commitAsynchronously,
    });
    await this.runConsumer();
  }

  /** Stops consuming (the message in progress finishes or is retried later) and disconnects. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.restarting;
    // The batches in hand end at their next message (aborted); their offsets are committed
    // while this consumer is still a member of its group, which it leaves on disconnect.
    await Promise.all(this.batchesInHand);
    await this.commits?.stop();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.producer = undefined;
  }

  private async runConsumer(): Promise<void> {
    const { kafka, groupId } = this.options;
    // Opened before this consumer handles its first message, so that it vouches for all of its
    // transactions; failing to open it fails the start, as any database failure would.
    const flushes = this.commitAsynchronously
      ? await FlushSession.open(this.options.pool)
      : undefined;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.sessionTimeoutMs,
      // Kafka's rule of thumb: three heartbeats per session, so that one late heartbeat on a
      // busy machine does not end a short session.
      heartbeatInterval: Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3)),
      allowAutoTopicCreation: true,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      // kafkajs' default (5 retries), and no restart once stopping: a join still waiting when
      // `stop()` disconnects fails, and kafkajs would otherwise start the consumer again after
      // the disconnect, a member nobody stops.
      retry: { retries: 5, restartOnFailure: async () => !this.abort.signal.aborted },
    });
    this.consumer = consumer;
    const commits = new PeriodicOffsetCommits({
      intervalMs: this.options.offsetCommitIntervalMs ?? 1_000,
      logger: this.logger,
      groupId,
      flushes,
      onFlushSessionLost: () => this.rewind(consumer),
    });
    this.commits = commits;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error(
        `inbox ${groupId}: consumer crashed (kafkajs restarts it: ${payload.restart}): ${payload.error.message}`,
      );
      // kafkajs gives up on some errors (e.g. UNKNOWN_MEMBER_ID from a commit after the
      // coordinator restarted): start a new consumer. Uncommitted messages come again and the
      // inbox turns them into no-ops.
      if (!payload.restart && !this.abort.signal.aborted) this.restart(consumer);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
    } catch (error) {
      commits.discard(); // its flush session with it
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    const processor = this.processor!;
    const running = consumer.run({
      // Offsets are resolved only for handled messages — their inbox transaction committed,
      // or they are in the DLQ — and committed in the background (PeriodicOffsetCommits), not
      // after each batch as kafkajs' autoCommit does.
      autoCommit: false,
      // Partitions in parallel; within a partition (one key's events) strictly in order.
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        commits.track(payload);
        const batch = processor.onBatch(payload);
        this.batchesInHand.add(batch);
        try {
          await batch;
        } finally {
          this.batchesInHand.delete(batch);
        }
      },
    });
    await this.untilJoined(running);
  }

  /**
   * Waits for `run` (which resolves once the group is joined; kafkajs reports a failed join as
   * a crash, handled above) at most `joinWaitMs`.
   */
  private async untilJoined(running: Promise<void>): Promise<void> {
    const waitMs = this.options.joinWaitMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const joined = await Promise.race([
      running.then(() => true),
      new Promise<false>((done) => (timer = setTimeout(() => done(false), waitMs))),
    ]).finally(() => clearTimeout(timer));
    if (joined) return;
    this.logger.warn(
      `inbox ${this.options.groupId}: not joined its group after ${waitMs} ms (a member that ` +
        'died holds the rebalance until its session times out); consuming starts once it has',
    );
    running.catch((error: unknown) =>
      this.logger.error(`inbox ${this.options.groupId}: ${(error as Error).message}`),
    );
  }

  /**
   * The database lost this consumer's flush session — it crashed or restarted, most likely — so
   * inbox transactions committed without waiting for the flush since the last offset commit may
   * be gone: a new consumer starts from the committed offsets, and their events come again
   * (those that were kept are duplicates). The offsets resolved since are dropped. After a
   * restart in progress — the one that started `lost`, or one that replaces it already.
   */
  private rewind(lost: Consumer): void {
    void (async () => {
      await this.restarting?.catch(() => undefined);
      if (this.abort.signal.aborted || this.restarting || this.consumer !== lost) return;
      this.logger.warn(
        `inbox ${this.options.groupId}: the database session of its WAL flushes was lost (a crash or restart?); ` +
          'events handled since the last offset commit may be undone with it: consuming again from the committed offsets',
      );
      this.metrics?.rewinds.inc({ group: this.options.groupId });
      this.restart(lost, { commitResolved: false });
    })();
  }

  /**
   * Replaces `crashed` with a new consumer, after committing what it resolved (if its group
   * still takes it) unless `commitResolved` is false.
   */
  private restart(crashed: Consumer, { commitResolved = true } = {}): void {
    const restarting = (async () => {
      if (commitResolved) await this.commits?.stop();
      else this.commits?.discard();
      for (let attempt = 1; !this.abort.signal.aborted; attempt += 1) {
        await crashed.disconnect().catch(() => undefined);
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5000 }), this.abort.signal);
        if (this.abort.signal.aborted) return;
        try {
          await this.runConsumer();
          return;
        } catch (error) {
          this.logger.warn(
            `inbox ${this.options.groupId}: restart failed: ${(error as Error).message}`,
          );
        }
      }
    })().finally(() => {
      if (this.restarting === restarting) this.restarting = undefined;
    });
    this.restarting = restarting;
  }
}
