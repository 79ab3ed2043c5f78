import { commitWith, isDeferredWriteFailure, withTransaction } from '@fulfil/event-store';
import {
  fromKafkaMessage,
  peekEventType,
  isIntegrationMessageError,
  type CloudEventEnvelope,
  type IntegrationEvent,
} from '@fulfil/contracts';
import type { EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { PoolClient } from 'pg';
import { backoffDelay, sleep, type MessagingLogger } from '../shared/backoff';
import { takeAdvisoryLocks } from './advisory-locks';
import { deadLetterMessage, deadLetterTopic, type DeadLetterReason } from './dead-letter';
import type { InboxMetrics } from './inbox-metrics';
import type {
  InboxConsumerOptions,
  IntegrationEventHandler,
  MessageSource,
} from './inbox-consumer.options';

/** PostgreSQL's unique_violation: the inbox has the event already. */
const UNIQUE_VIOLATION = '23505';

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

/** What an {@link InboxProcessor} works with: fixed once its consumer has started. */
export interface InboxProcessorSettings {
  readonly options: InboxConsumerOptions;
  /** By `ce_type` or wire name; the consumer's own map (handlers are added before start). */
  readonly handlers: ReadonlyMap<string, IntegrationEventHandler>;
  readonly logger: MessagingLogger;
  readonly metrics: InboxMetrics | undefined;
  /** Sends dead letters. */
  readonly producer: Producer;
  /** Aborted when the consumer stops. */
  readonly signal: AbortSignal;
  /** `asynchronousCommit`, once the server is known to flush on demand. */
  readonly commitAsynchronously: boolean;
}

/**
 * The work of {@link InboxConsumer} on each fetched batch: parse, group, handle in database
 * transactions with the inbox row, retry, dead-letter. The consumer owns the group membership
 * and the offsets; this owns what happens to each message.
 */
export class InboxProcessor {
  private readonly maxAttempts: number;

  constructor(private readonly settings: InboxProcessorSettings) {
    this.maxAttempts = settings.options.maxAttempts ?? 5;
  }

  /**
   * A fetched batch of one partition, in order: runs of consecutive handled events go through
   * `processTogether`; an event whose locks are unknown runs alone; a message that does not
   * parse is done at once. A message without a handler needs no work, so it does not end a run,
   * but its offset is resolved only with the run before it.
   */
  async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const maxTogether = Math.max(1, this.settings.options.maxEventsPerTransaction ?? 20);
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
      if (!isRunning() || isStale() || this.settings.signal.aborted) {
        run.length = 0; // not handled, offsets not resolved: they come again
        break;
      }
      const source: MessageSource = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        groupId: this.settings.options.groupId,
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
    const labels = { group: this.settings.options.groupId };
    if (outcome === 'processed') this.settings.metrics?.processed.inc(labels);
    if (outcome === 'ignored') this.settings.metrics?.ignored.inc(labels);
    if (outcome === 'duplicate') this.settings.metrics?.duplicates.inc(labels);
    if (outcome === 'poison' || outcome === 'handler-failed')
      this.settings.metrics?.deadLettered.inc(labels);
  }

  /**
   * Parses a message (once) and finds its handler. A message that does not parse is poison:
   * dead-lettered at once. An event without a handler has nothing to apply, so nothing to guard
   * against applying twice: no transaction at all — and when its `ce_type` header already says
   * so, it is not even parsed (its schema is the business of the consumers that handle it). So
   * too an event the `skip` option calls irrelevant, once parsed.
   */
  private async handledMessage(
    source: MessageSource,
    message: KafkaMessage,
  ): Promise<HandledMessage | 'ignored' | 'poison'> {
    const named = peekEventType(message);
    if (
      named &&
      !this.settings.handlers.has(named.ceType) &&
      !this.settings.handlers.has(named.type)
    ) {
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
    const handler =
      this.settings.handlers.get(envelope.type) ?? this.settings.handlers.get(event.type);
    if (!handler || this.settings.options.skip?.(event, envelope)) return 'ignored';
    // No `lockKeys`: the handlers take no locks, so any events may share a transaction.
    const lockKeys = this.settings.options.lockKeys
      ? this.settings.options.lockKeys(event, envelope)
      : [];
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
        await withTransaction(this.settings.options.pool, async (client) => {
          await takeAdvisoryLocks(
            client,
            run.flatMap((handled) => handled.lockKeys ?? []),
          );
          for (const [index, { event, envelope, source, handler }] of run.entries()) {
            try {
              await handler(event, envelope, client, source);
            } catch (error) {
              // A write an earlier handler left to go out with this one's statement is no
              // failure of this event's.
              if (!isDeferredWriteFailure(error)) failed = { index, error };
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
          this.settings.logger.warn(
            `inbox ${this.settings.options.groupId}: ${run.length} events rolled back together, handled one by one: ${(error as Error).message}`,
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
        return await withTransaction(
          this.settings.options.pool,
          async (client): Promise<MessageOutcome> => {
            // The handler writes first and the inbox row last: the transaction takes its id at
            // the handler's first write — after any lock the handler took — so writers that
            // serialise on a lock also commit in id order, which the event store's
            // transaction-order check needs. A duplicate costs a rolled-back transaction.
            await handler(event, envelope, client, source);
            await this.record(client, [handled]);
            return 'processed';
          },
        );
      } catch (error) {
        // Also a handler that refuses a redelivered event (its state moved on) is a duplicate.
        if (error instanceof AlreadyProcessed || (await this.isRecorded(envelope.id))) {
          return 'duplicate';
        }
        this.settings.logger.warn(
          `inbox ${source.groupId}: ${envelope.type} ${envelope.id} attempt ${attempt}/${this.maxAttempts}: ${(error as Error).message}`,
        );
        if (attempt >= this.maxAttempts) {
          await this.deadLetter(source, message, 'handler-failed', error, attempt);
          return 'handler-failed';
        }
        await sleep(
          backoffDelay(attempt, this.settings.options.backoff ?? { maxMs: 2000 }),
          this.settings.signal,
        );
        if (this.settings.signal.aborted)
          throw new Error('inbox consumer stopping', { cause: error });
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
          this.settings.options.groupId,
          run.map((m) => m.envelope.id),
          run.map((m) => m.envelope.type),
          run.map((m) => m.source.topic),
          run.map((m) => m.source.partition),
          run.map((m) => m.source.offset),
        ],
        { synchronousCommit: !this.settings.commitAsynchronously },
      );
    } catch (error) {
      const { code, table } = error as { code?: unknown; table?: unknown };
      if (code === UNIQUE_VIOLATION && table === 'inbox') throw new AlreadyProcessed();
      throw error;
    }
  }

  private async isRecorded(eventId: string): Promise<boolean> {
    const { rows } = await this.settings.options.pool.query(
      'SELECT 1 FROM inbox WHERE consumer_group = $1 AND event_id = $2',
      [this.settings.options.groupId, eventId],
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
    this.settings.logger.error(
      `inbox ${source.groupId}: ${source.topic}/${source.partition}@${source.offset} → DLQ (${reason}): ${(error as Error).message}`,
    );
    await this.settings.producer.send({
      topic: deadLetterTopic(source.topic),
      acks: -1,
      messages: [deadLetterMessage(message, source, { reason, error, attempts })],
    });
  }
}

/** Thrown inside the inbox transaction to undo a duplicate's writes. */
class AlreadyProcessed extends Error {}
