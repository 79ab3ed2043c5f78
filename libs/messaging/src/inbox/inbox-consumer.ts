import { commitWith, withTransaction } from '@fulfil/event-store';
import {
  fromKafkaMessage,
  peekEventType,
  isIntegrationMessageError,
  type CloudEventEnvelope,
  type IntegrationEvent,
} from '@fulfil/contracts';
import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { Counter, type Registry } from 'prom-client';
import {
  backoffDelay,
  silentLogger,
  sleep,
  type BackoffOptions,
  type MessagingLogger,
} from '../shared/backoff';
import { takeAdvisoryLocks } from './advisory-locks';
import { deadLetterMessage, deadLetterTopic, type DeadLetterReason } from './dead-letter';
import { FlushSession } from '../shared/flush-session';
import { canFlushWal } from '../shared/wal-flush';
import { PeriodicOffsetCommits } from './periodic-offset-commits';

/** PostgreSQL's unique_violation: the inbox has the event already. */
const UNIQUE_VIOLATION = '23505';

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

/** Where a message came from, given to handlers. */
export interface MessageSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly groupId: string;
}

/**
 * Handles one event inside the consumer's database transaction: write the state change through
 * `client` (never another connection) so it commits together with the inbox row. Throw to
 * retry; the transaction is rolled back.
 */
export type IntegrationEventHandler = (
  event: IntegrationEvent,
  envelope: CloudEventEnvelope,
  client: PoolClient,
  source: MessageSource,
) => Promise<void>;

/** Options of {@link InboxConsumer}. */
export interface InboxConsumerOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handlers by `ce_type` (versioned wire name, `fulfil.orders.OrderPlaced.v1`) or by wire name
   * without version (`fulfil.orders.OrderPlaced`, any version). Valid events with no handler
   * are skipped without touching the database (nothing to apply, nothing to de-duplicate).
   */
  readonly handlers?: ReadonlyMap<string, IntegrationEventHandler>;
  /** Handler runs before a message is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Backoff between handler attempts. Default 100 ms doubling up to 2 s, jittered. */
  readonly backoff?: BackoffOptions;
  /** Read a topic from the beginning when the group has no committed offset. Default true. */
  readonly fromBeginning?: boolean;
  /**
   * Where `inbox_processed_total`, `inbox_ignored_total`, `inbox_duplicates_total`,
   * `inbox_dead_lettered_total` and `inbox_rewinds_total` go.
   */
  readonly registry?: Registry;
  readonly logger?: MessagingLogger;
  /**
   * How long the group waits for this member's heartbeat before it hands the member's
   * partitions to others, ms. Default 30000 (`KAFKA_SESSION_TIMEOUT_MS` through
   * `connectInbox`). Heartbeats go every third of it, at most every 3 s (kafkajs' default).
   */
  readonly sessionTimeoutMs?: number;
  /**
   * How long `start()` waits for the consumer to join its group, ms; the join then goes on in
   * the background. Default 5000. A group with a member that died (a crashed instance of the
   * service, restarted at once) cannot complete a rebalance until that member's session times
   * out — up to its `sessionTimeoutMs` — and the service's HTTP API, which needs no consumer,
   * should not wait for it.
   */
  readonly joinWaitMs?: number;
  /** Partitions handled at the same time (each still in order). Default 3. */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How often the offsets of handled messages are committed, ms. Default 1000. A crash loses
   * at most this long's commits: those messages come again, and the inbox skips them.
   */
  readonly offsetCommitIntervalMs?: number;
  /**
   * Commit inbox transactions without waiting for their WAL flush (`synchronous_commit` off for
   * them alone): a flush less per event on the consumer's path. Their effects leave the
   * database only after a flush all the same: offsets are committed after one, on a session
   * of the consumer's own that has lived since before those transactions (`FlushSession`), and
   * the service's outbox relay must flush before publishing
   * (`OutboxRelayOptions.flushBeforePublishing`). A PostgreSQL crash may lose the last such
   * transactions; the consumer notices by the loss of that session, drops the offsets resolved
   * since its last commit and consumes again from there, so their events come again. The
   * session holds one connection of `pool` while the consumer runs. Not for handlers with
   * effects outside the database (a call, a hand-off run at commit). Default false; ignored,
   * with a warning, on PostgreSQL before 17, which cannot flush on demand.
   */
  readonly asynchronousCommit?: boolean;
  /**
   * Consecutive events of one partition handled in one database transaction at most (one
   * BEGIN/COMMIT and one inbox insert for all). Default 20; 1 handles each on its own. Only
   * events already waiting are grouped, so a consumer that keeps up still handles one at a time.
   */
  readonly maxEventsPerTransaction?: number;
  /**
   * For consumers whose handlers take transaction-level advisory locks
   * (`pg_advisory_xact_lock(hashtextextended(key, 0))`): the keys the handler of `event` will
   * lock, computed from the event alone, or `undefined` when they cannot be known up front (they
   * depend on stored state). Without it, grouped handlers would take their locks one event after
   * another — several sorted sets in a row are not sorted, so two groups could deadlock — and
   * wait for them after the transaction already wrote.
   *
   * With it, a group first takes the sorted union of its events' keys in one statement, before
   * any handler runs; the handlers then find their locks held (they are re-entrant) and must
   * take no others. An event whose keys are `undefined` is handled in a transaction of its own.
   * An event handled alone gets no locks from the inbox: its handler takes them as usual.
   */
  readonly lockKeys?: (
    event: IntegrationEvent,
    envelope: CloudEventEnvelope,
  ) => readonly string[] | undefined;
}

/** A parsed message whose event has a handler. */
interface HandledMessage {
  readonly source: MessageSource;
  readonly message: KafkaMessage;
  readonly event: IntegrationEvent;
  readonly envelope: CloudEventEnvelope;
  readonly handler: IntegrationEventHandler;
  /** The advisory locks its handler takes (`lockKeys`); `undefined`: unknown, handle it alone. */
  readonly lockKeys: readonly string[] | undefined;
}

/** The outcome of one message. */
export type MessageOutcome = 'processed' | 'duplicate' | 'ignored' | DeadLetterReason;

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
  private readonly maxAttempts: number;
  private readonly logger: MessagingLogger;
  private readonly abort = new AbortController();
  private readonly metrics:
    | Record<'processed' | 'ignored' | 'duplicates' | 'deadLettered' | 'rewinds', Counter<string>>
    | undefined;
  private consumer: Consumer | undefined;
  private commits: PeriodicOffsetCommits | undefined;
  private readonly batchesInHand = new Set<Promise<void>>();
  private producer: Producer | undefined;
  private restarting: Promise<void> | undefined;
  /** `asynchronousCommit`, once the server is known to flush on demand (at `start`). */
  private commitAsynchronously = false;

  constructor(private readonly options: InboxConsumerOptions) {
    for (const [type, handler] of options.handlers ?? []) this.handlers.set(type, handler);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.logger = options.logger ?? silentLogger;
    const registry = options.registry;
    this.metrics = registry && {
      processed: counter(registry, 'inbox_processed_total', 'Events handled and committed'),
      ignored: counter(registry, 'inbox_ignored_total', 'Events without a handler here, skipped'),
      duplicates: counter(registry, 'inbox_duplicates_total', 'Redelivered events skipped'),
      deadLettered: counter(registry, 'inbox_dead_lettered_total', 'Messages sent to the DLQ'),
      rewinds: counter(
        registry,
        'inbox_rewinds_total',
        'Restarts from the committed offsets after the flush session was lost (a database crash?)',
      ),
    };
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
        const batch = this.onBatch(payload);
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

  /**
   * A fetched batch of one partition, in order: runs of consecutive handled events go through
   * `processTogether`; an event whose locks are unknown runs alone; a message that does not
   * parse is done at once. A message without a handler needs no work, so it does not end a run,
   * but its offset is resolved only with the run before it.
   */
  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const maxTogether = Math.max(1, this.options.maxEventsPerTransaction ?? 20);
    const run: HandledMessage[] = [];
    let runEnd = '';
    const flush = async () => {
      if (run.length === 0) return;
      for (const outcome of await this.processTogether(run)) this.count(outcome);
      resolveOffset(runEnd);
      run.length = 0;
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.abort.signal.aborted) {
        run.length = 0; // not handled, offsets not resolved: they come again
        break;
      }
      const source: MessageSource = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        groupId: this.options.groupId,
      };
      const handled = await this.handledMessage(source, message);
      if (typeof handled === 'object') {
        const alone = handled.lockKeys === undefined;
        if (alone) await flush();
        run.push(handled);
        runEnd = message.offset;
        if (alone || run.length >= maxTogether) await flush();
        continue;
      }
      if (handled === 'ignored' && run.length > 0) {
        this.count(handled);
        runEnd = message.offset;
        continue;
      }
      await flush();
      this.count(handled);
      resolveOffset(message.offset);
    }
    await flush();
  }

  private count(outcome: MessageOutcome): void {
    const labels = { group: this.options.groupId };
    if (outcome === 'processed') this.metrics?.processed.inc(labels);
    if (outcome === 'ignored') this.metrics?.ignored.inc(labels);
    if (outcome === 'duplicate') this.metrics?.duplicates.inc(labels);
    if (outcome === 'poison' || outcome === 'handler-failed')
      this.metrics?.deadLettered.inc(labels);
  }

  /**
   * Parses a message (once) and finds its handler. A message that does not parse is poison:
   * dead-lettered at once. An event without a handler has nothing to apply, so nothing to guard
   * against applying twice: no transaction at all — and when its `ce_type` header already says
   * so, it is not even parsed (its schema is the business of the consumers that handle it).
   */
  private async handledMessage(
    source: MessageSource,
    message: KafkaMessage,
  ): Promise<HandledMessage | 'ignored' | 'poison'> {
    const named = peekEventType(message);
    if (named && !this.handlers.has(named.ceType) && !this.handlers.has(named.type)) {
      return 'ignored';
    }
    let received: ReturnType<typeof fromKafkaMessage>;
    try {
      received = fromKafkaMessage(message);
    } catch (error) {
      if (!isIntegrationMessageError(error)) throw error;
      await this.deadLetter(source, message, 'poison', error, 0);
      return 'poison';
    }
    const { event, envelope } = received;
    const handler = this.handlers.get(envelope.type) ?? this.handlers.get(event.type);
    if (!handler) return 'ignored';
    // No `lockKeys`: the handlers take no locks, so any events may share a transaction.
    const lockKeys = this.options.lockKeys ? this.options.lockKeys(event, envelope) : [];
    return { source, message, event, envelope, handler, lockKeys };
  }

  /**
   * Handles consecutive events in one transaction — after taking all their handlers' locks
   * (`lockKeys`) — then records them all in one insert. Any failure — a handler error, a
   * conflict, an event already recorded — rolls that transaction back and they are handled one
   * by one (`process`), with its retries, duplicate detection and dead-lettering; so a batch
   * never changes what happens to an event, only its cost.
   */
  private async processTogether(run: readonly HandledMessage[]): Promise<MessageOutcome[]> {
    let failed: { index: number; error: unknown } | undefined;
    if (run.length > 1) {
      try {
        await withTransaction(this.options.pool, async (client) => {
          await takeAdvisoryLocks(
            client,
            run.flatMap((handled) => handled.lockKeys ?? []),
          );
          for (const [index, { event, envelope, source, handler }] of run.entries()) {
            try {
              await handler(event, envelope, client, source);
            } catch (error) {
              failed = { index, error };
              throw error;
            }
          }
          await this.record(client, run);
        });
        return run.map(() => 'processed');
      } catch (error) {
        // One by one below: each event meets its own error, retries or duplicate again. A
        // failure that is no handler's own (a deadlock, a lost connection) is worth knowing of.
        if (!failed && !(error instanceof AlreadyProcessed)) {
          this.logger.warn(
            `inbox ${this.options.groupId}: ${run.length} events rolled back together, handled one by one: ${(error as Error).message}`,
          );
        }
      }
    }
    const outcomes: MessageOutcome[] = [];
    for (const [index, handled] of run.entries()) {
      // The handler that failed in the batch has had its first attempt.
      const firstFailure = failed?.index === index ? { error: failed.error } : undefined;
      outcomes.push(await this.process(handled, firstFailure));
    }
    return outcomes;
  }

  /** One event in its own transaction, with retries; `firstFailure`: attempt 1 failed already. */
  private async process(
    handled: HandledMessage,
    firstFailure?: { error: unknown },
  ): Promise<MessageOutcome> {
    const { source, message, event, envelope, handler } = handled;
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Its first attempt was in a batch that failed on it (`processTogether`).
        if (attempt === 1 && firstFailure) throw firstFailure.error;
        return await withTransaction(this.options.pool, async (client): Promise<MessageOutcome> => {
          // The handler writes first and the inbox row last: the transaction takes its id at
          // the handler's first write — after any lock the handler took — so writers that
          // serialise on a lock also commit in id order, which the event store's
          // transaction-order check needs. A duplicate costs a rolled-back transaction.
          await handler(event, envelope, client, source);
          await this.record(client, [handled]);
          return 'processed';
        });
      } catch (error) {
        // Also a handler that refuses a redelivered event (its state moved on) is a duplicate.
        if (error instanceof AlreadyProcessed || (await this.isRecorded(envelope.id))) {
          return 'duplicate';
        }
        this.logger.warn(
          `inbox ${source.groupId}: ${envelope.type} ${envelope.id} attempt ${attempt}/${this.maxAttempts}: ${(error as Error).message}`,
        );
        if (attempt >= this.maxAttempts) {
          await this.deadLetter(source, message, 'handler-failed', error, attempt);
          return 'handler-failed';
        }
        await sleep(
          backoffDelay(attempt, this.options.backoff ?? { maxMs: 2000 }),
          this.abort.signal,
        );
        if (this.abort.signal.aborted) throw new Error('inbox consumer stopping', { cause: error });
      }
    }
  }

  /**
   * Records events in the inbox in one insert, the transaction's last statement, sent with its
   * COMMIT (`commitWith`). An event recorded already fails it (AlreadyProcessed) before COMMIT,
   * so nothing the handlers wrote for a duplicate commits.
   */
  private async record(client: PoolClient, run: readonly HandledMessage[]): Promise<void> {
    try {
      await commitWith(
        client,
        `INSERT INTO inbox (consumer_group, event_id, event_type, source_topic,
                            source_partition, source_offset)
         SELECT $1, e.event_id, e.event_type, e.topic, e.partition, e.offset_
           FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[])
                AS e(event_id, event_type, topic, partition, offset_)`,
        [
          this.options.groupId,
          run.map((m) => m.envelope.id),
          run.map((m) => m.envelope.type),
          run.map((m) => m.source.topic),
          run.map((m) => m.source.partition),
          run.map((m) => m.source.offset),
        ],
        { synchronousCommit: !this.commitAsynchronously },
      );
    } catch (error) {
      const { code, table } = error as { code?: unknown; table?: unknown };
      if (code === UNIQUE_VIOLATION && table === 'inbox') throw new AlreadyProcessed();
      throw error;
    }
  }

  private async isRecorded(eventId: string): Promise<boolean> {
    const { rows } = await this.options.pool.query(
      'SELECT 1 FROM inbox WHERE consumer_group = $1 AND event_id = $2',
      [this.options.groupId, eventId],
    );
    return rows.length > 0;
  }

  private async deadLetter(
    source: MessageSource,
    message: KafkaMessage,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    this.logger.error(
      `inbox ${source.groupId}: ${source.topic}/${source.partition}@${source.offset} → DLQ (${reason}): ${(error as Error).message}`,
    );
    await this.producer!.send({
      topic: deadLetterTopic(source.topic),
      acks: -1,
      messages: [deadLetterMessage(message, source, { reason, error, attempts })],
    });
  }
}

/** Thrown inside the inbox transaction to undo a duplicate's writes. */
class AlreadyProcessed extends Error {}

function counter(registry: Registry, name: string, help: string): Counter<string> {
  return new Counter({ name, help, labelNames: ['group'], registers: [registry] });
}
