import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import {
  backoffDelay,
  sleep,
  silentLogger,
  type BackoffOptions,
  type MessagingLogger,
} from '../shared/backoff';
import { canFlushWal } from '../shared/wal-flush';
import { Wakeup } from '../shared/wakeup';
import { onOutboxCommit } from './outbox-commits';
import { registerOutboxMetrics } from './outbox-metrics';
import {
  deletePublishedRows,
  loadRelayCheckpoint,
  readOutboxPage,
  saveRelayCheckpoint,
  type OutboxMessage,
  type RelayCheckpoint,
} from './outbox-store';

export type { OutboxMessage } from './outbox-store';

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  /** Checkpoint row name; relays of one database with the same name exclude each other. Default `default`. */
  readonly name?: string;
  /** Rows per poll (one `sendBatch`). Default 100. */
  readonly batchSize?: number;
  /**
   * Wait when there is nothing to publish while this process keeps committing outbox rows, ms.
   * Default 200. A commit of this process ends a longer wait; the poll finds what other
   * processes wrote and what an older transaction still held back.
   */
  readonly pollIntervalMs?: number;
  /**
   * The wait once this process has committed no outbox rows for that long, ms: rows of other
   * processes (other instances of the service, SQL by hand) wait for it. Default 10 × the poll
   * interval.
   */
  readonly idlePollIntervalMs?: number;
  /** Backoff after a broker or database error. Default 100 ms doubling up to 5 s, jittered. */
  readonly backoff?: BackoffOptions;
  /** Published rows older than this are deleted in the background, ms. Default 7 days; 0 keeps all. */
  readonly retentionMs?: number;
  /** How often the retention delete runs, ms. Default 60 000. */
  readonly cleanupIntervalMs?: number;
  /** Where `outbox_backlog` and `outbox_oldest_age_seconds` are registered. */
  readonly registry?: Registry;
  readonly logger?: MessagingLogger;
  /**
   * Flush the WAL before publishing rows, in the statement that reads them (one fsync per
   * non-empty page at most, none when it is flushed already). Needed when transactions that
   * write outbox rows commit without waiting for the flush (`InboxConsumerOptions.
   * asynchronousCommit`): a row must not reach the broker before its transaction is durable.
   * Ignored, with a warning, on PostgreSQL before 17 (those inboxes commit durably there).
   */
  readonly flushBeforePublishing?: boolean;
  /**
   * Test hook: runs after the broker acknowledged a batch and before the checkpoint moves.
   * A throw makes the relay behave as after a crash at that point: the batch is sent again.
   */
  readonly afterSend?: (batch: readonly OutboxMessage[]) => Promise<void> | void;
}

/** Where the relay stands while it holds the lock. */
interface Progress {
  /** The stored checkpoint (as last read or written). */
  durable: RelayCheckpoint;
  /** Last row the broker acknowledged; the checkpoint may move up to here, never further. */
  acknowledged: RelayCheckpoint;
  /** Last row handed to the producer; the next page is read after it. */
  read: RelayCheckpoint;
  /** The next page, read while the current batch was in flight. */
  prefetched?: Promise<OutboxMessage[]>;
  /** The checkpoint write in flight (one at a time); awaited before the next. */
  saving?: Promise<void>;
  /** When the last checkpoint write started (ms since epoch). */
  savedAt: number;
}

/**
 * At most one checkpoint write per this many ms for small batches: at a trickle every batch is a
 * row or two, and a write per batch would double the relay's statements. A crash re-sends what
 * was acknowledged since (at least once; inboxes absorb it).
 */
const CHECKPOINT_INTERVAL_MS = 100;

/**
 * Publishes `outbox` rows to Kafka, in commit-safe order, at least once.
 *
 * - Order: rows of transactions older than the snapshot's xmin only, by (transaction_id,
 *   position), after a persisted checkpoint — a row whose transaction commits late is never
 *   skipped (see `EventStore.readAll`). Each row is keyed by its aggregate id, and the
 *   producer is idempotent with one request in flight, so per-key order holds on a partition.
 * - Progress: the checkpoint moves only after the broker acknowledged the whole batch
 *   (`acks: -1`); a crash in between re-sends the batch (consumers' inboxes absorb it).
 * - Throughput: while a batch is in flight the next page is already read, and the checkpoint
 *   of an acknowledged batch is written while the next one is sent (asynchronous commit: a
 *   checkpoint lost in a database crash only means re-sends). A failed send or hook throws
 *   the read-ahead page away and reading starts again from the stored checkpoint.
 * - Latency: a commit of outbox rows in this process wakes the relay, which polls at once
 *   unless it polled less than `pollIntervalMs` ago (a busy process does not make it poll
 *   more often). Otherwise it polls every `pollIntervalMs` while this process keeps committing
 *   outbox rows, and every `idlePollIntervalMs` once it stopped (what other processes write
 *   waits up to that long).
 * - One active relay per database and name: a session advisory lock; others stand by.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  /** Its poll interval while the process commits outbox rows (`pollIntervalMs`), ms. */
  readonly pollIntervalMs: number;
  private readonly idlePollIntervalMs: number;
  private readonly wakeup = new Wakeup();
  /** When a commit of this process last woke the relay (ms since epoch). */
  private wokenAt = 0;
  private stopListening: (() => void) | undefined;
  private readonly retentionMs: number;
  private readonly cleanupIntervalMs: number;
  private readonly logger: MessagingLogger;
  private producer: Producer | undefined;
  private lockClient: PoolClient | undefined;
  /** Whether pages are read with a WAL flush (`flushBeforePublishing`, where the server can). */
  private flushing = false;
  private progress: Progress | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'default';
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.idlePollIntervalMs = options.idlePollIntervalMs ?? this.pollIntervalMs * 10;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 60_000;
    this.logger = options.logger ?? silentLogger;
    if (options.registry) registerOutboxMetrics(options.registry, this.name, options.pool);
  }

  /** True while this instance holds the advisory lock (it is the active relay). */
  get isActive(): boolean {
    return this.lockClient !== undefined;
  }

  /** Starts polling in the background. Resolves at once; a standby keeps trying to take the lock. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.stopListening = onOutboxCommit(() => {
      this.wokenAt = Date.now();
      this.wakeup.wake();
    });
    this.loop = this.run();
  }

  /**
   * Stops polling (an in-flight batch finishes or fails), writes the checkpoint of what was
   * acknowledged, releases the lock, disconnects.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    this.stopListening?.();
    await this.loop;
    this.loop = undefined;
    await this.release();
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (!(await this.acquire())) {
          await sleep(this.pollIntervalMs * 5, signal);
          continue;
        }
        const published = await this.publishOnce();
        failures = 0;
        await this.cleanupIfDue();
        if (published < this.batchSize) {
          // Caught up: store progress (throttled; a later idle poll stores the rest).
          await this.saveCheckpoint('throttled');
          await this.wakeup.sleep(this.nextPollInMs(), signal, this.pollIntervalMs);
        }
      } catch (error) {
        failures += 1;
        this.logger.warn(`outbox relay ${this.name}: ${(error as Error).message}`);
        // Forget the read-ahead page and the unsaved progress: reading starts again from the
        // stored checkpoint. A database or unknown failure also starts from a fresh session;
        // a broker failure keeps the lock (and the producer's sequence numbers).
        this.progress = undefined;
        if (!isKafkaError(error)) await this.release();
        await sleep(backoffDelay(failures, this.options.backoff), signal);
      }
    }
    try {
      await this.saveCheckpoint('now');
    } catch (error) {
      this.logger.warn(`outbox relay ${this.name}: final checkpoint: ${(error as Error).message}`);
    }
  }

  /** The poll interval while this process commits outbox rows, the idle one otherwise. */
  private nextPollInMs(): number {
    const active = Date.now() - this.wokenAt < this.idlePollIntervalMs;
    return active ? this.pollIntervalMs : this.idlePollIntervalMs;
  }

  /**
   * Publishes the next batch (at most `batchSize` rows, one `sendBatch`) and lets the
   * checkpoint follow once the broker acknowledged it; returns how many rows it published.
   * Runs only while holding the advisory lock.
   */
  private async publishOnce(): Promise<number> {
    const client = this.lockClient!;
    const progress = (this.progress ??= await this.loadProgress(client));
    const page = progress.prefetched ?? this.readPage(client, progress.read);
    progress.prefetched = undefined;
    const batch = await page;
    if (batch.length === 0) return 0;
    const last = batch[batch.length - 1]!;
    progress.read = { transactionId: last.transactionId, position: last.position };
    // A full page suggests more behind it: read the next one while the broker works. It starts
    // after this batch's last row, which is as commit-safe a start as the checkpoint itself.
    if (batch.length === this.batchSize) {
      progress.prefetched = this.readPage(client, progress.read);
      progress.prefetched.catch(() => undefined); // surfaces when awaited; dropped after a failure
    }
    await this.send(batch);
    await this.options.afterSend?.(batch);
    progress.acknowledged = progress.read;
    // Full batches (a backlog) checkpoint each; small ones (a trickle) at most every 100 ms.
    await this.saveCheckpoint(batch.length === this.batchSize ? 'soon' : 'throttled');
    return batch.length;
  }

  private readPage(client: PoolClient, after: RelayCheckpoint): Promise<OutboxMessage[]> {
    return readOutboxPage(client, after, this.batchSize, { flushWal: this.flushing });
  }

  private async loadProgress(client: PoolClient): Promise<Progress> {
    const stored = await loadRelayCheckpoint(client, this.name);
    return { durable: stored, acknowledged: stored, read: stored, savedAt: 0 };
  }

  /**
   * Moves the stored checkpoint to the last acknowledged row. `soon`: without waiting for the
   * write (the next batch is sent meanwhile; at most one write in flight); `throttled`: the
   * same, but only if the last write is `CHECKPOINT_INTERVAL_MS` old (a trickle of small
   * batches); `now`: awaited, always.
   */
  private async saveCheckpoint(when: 'soon' | 'throttled' | 'now'): Promise<void> {
    const progress = this.progress;
    const client = this.lockClient;
    if (!progress || !client) return;
    // The previous write first: one at a time, and its error surfaces here.
    await progress.saving;
    const at = progress.acknowledged;
    if (at === progress.durable) return;
    if (when === 'throttled' && Date.now() - progress.savedAt < CHECKPOINT_INTERVAL_MS) return;
    progress.savedAt = Date.now();
    const saving = saveRelayCheckpoint(client, this.name, at).then(() => {
      progress.durable = at;
    });
    progress.saving = saving;
    saving.catch(() => undefined); // surfaces when awaited; dropped after a failure
    if (when === 'now') await saving;
  }

  private async send(batch: readonly OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of batch) {
      let messages = byTopic.get(row.topic);
      if (!messages) byTopic.set(row.topic, (messages = []));
      // kafkajs only reads the headers object; no copy needed.
      messages.push({ key: row.key, value: row.value, headers: row.headers });
    }
    const producer = await this.connectedProducer();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.options.kafka.producer({
        // kafkajs 2's default (murmur2 on the key, as the Java client), chosen explicitly so
        // kafkajs does not warn about its changed default at every start.
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async acquire(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = await this.options.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('fulfil.outbox-relay:' || $1, 0)) AS locked`,
        [this.name],
      );
      if (!rows[0]?.locked) {
        client.release();
        return false;
      }
      // This session only writes checkpoints and deletes published rows: losing the last of
      // those writes in a database crash only means re-sends, so it need not wait for the WAL
      // flush. The session ends with the lock (the connection is destroyed on release).
      await client.query('SET synchronous_commit = off');
      this.flushing =
        this.options.flushBeforePublishing === true && (await canFlushWal(this.options.pool));
      if (this.options.flushBeforePublishing && !this.flushing) {
        this.logger.warn(
          `outbox relay ${this.name}: PostgreSQL before 17 cannot flush on demand; inboxes commit durably instead`,
        );
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.lockClient = client;
    this.progress = undefined; // another relay may have moved the checkpoint while we stood by
    return true;
  }

  private async release(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.progress = undefined;
    // Destroying the connection ends the session, which releases the session lock for sure.
    client?.release(true);
  }

  private async cleanupIfDue(): Promise<void> {
    if (this.retentionMs <= 0 || Date.now() - this.lastCleanup < this.cleanupIntervalMs) return;
    this.lastCleanup = Date.now();
    // Up to the stored checkpoint only: the backlog metric counts from there.
    await deletePublishedRows(this.lockClient!, this.progress!.durable, this.retentionMs);
  }
}

function isKafkaError(error: unknown): boolean {
  return String((error as Error | undefined)?.name ?? '').startsWith('KafkaJS');
}
