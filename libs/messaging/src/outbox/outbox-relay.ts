import type { Kafka, Message, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import {
  backoffDelay,
  sleep,
  silentLogger,
  type BackoffOptions,
  type MessagingLogger,
} from '../shared/backoff';

/** A row of `outbox` as the relay publishes it. */
export interface OutboxMessage {
  readonly position: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer;
}

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  /** Checkpoint row name; relays of one database with the same name exclude each other. Default `default`. */
  readonly name?: string;
  /** Rows per poll (one `sendBatch`). Default 100. */
  readonly batchSize?: number;
  /** Wait when there is nothing to publish, ms. Default 200. */
  readonly pollIntervalMs?: number;
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
   * Test hook: runs after the broker acknowledged a batch and before the checkpoint moves.
   * A throw makes the relay behave as after a crash at that point: the batch is sent again.
   */
  readonly afterSend?: (batch: readonly OutboxMessage[]) => Promise<void> | void;
}

interface Checkpoint {
  transactionId: string;
  position: string;
}

/**
 * Publishes `outbox` rows to Kafka, in commit-safe order, at least once.
 *
 * - Order: rows of transactions older than the snapshot's xmin only, by (transaction_id,
 *   position), after a persisted checkpoint — a row whose transaction commits late is never
 *   skipped (see `EventStore.readAll`). Each row is keyed by its aggregate id, and the
 *   producer is idempotent with one request in flight, so per-key order holds on a partition.
 * - Progress: the checkpoint moves only after the broker acknowledged the whole batch
 *   (`acks: -1`); a crash in between re-sends the batch (consumers' inboxes absorb it).
 * - One active relay per database and name: a session advisory lock; others stand by.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;
  private readonly cleanupIntervalMs: number;
  private readonly logger: MessagingLogger;
  private producer: Producer | undefined;
  private lockClient: PoolClient | undefined;
  private checkpoint: Checkpoint | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'default';
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 60_000;
    this.logger = options.logger ?? silentLogger;
    if (options.registry) this.registerMetrics(options.registry);
  }

  /** True while this instance holds the advisory lock (it is the active relay). */
  get isActive(): boolean {
    return this.lockClient !== undefined;
  }

  /** Starts polling in the background. Resolves at once; a standby keeps trying to take the lock. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Stops polling (an in-flight batch finishes or fails), releases the lock, disconnects. */
  async stop(): Promise<void> {
    this.abort.abort();
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
        if (published < this.batchSize) await sleep(this.pollIntervalMs, signal);
      } catch (error) {
        failures += 1;
        this.logger.warn(`outbox relay ${this.name}: ${(error as Error).message}`);
        // A database or unknown failure: start again from a fresh session and the stored
        // checkpoint. A broker failure keeps the lock (and the producer's sequence numbers).
        if (!isKafkaError(error)) await this.release();
        await sleep(backoffDelay(failures, this.options.backoff), signal);
      }
    }
  }

  /**
   * Publishes the next batch (at most `batchSize` rows, one `sendBatch`) and advances the
   * checkpoint after the broker acknowledged it; returns how many rows it published.
   * Runs only while holding the advisory lock.
   */
  private async publishOnce(): Promise<number> {
    const client = this.lockClient!;
    const after = (this.checkpoint ??= await this.loadCheckpoint(client));
    const { rows } = await client.query<{
      position: string;
      transaction_id: string;
      message_id: string;
      topic: string;
      key: string;
      headers: Record<string, string>;
      value: Buffer;
    }>({
      // Named: prepared once on the relay's connection instead of planned on every poll.
      name: 'outbox_relay.next_batch',
      text: `SELECT position::text, transaction_id::text, message_id::text, topic, key, headers, value
         FROM outbox
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY outbox.transaction_id, outbox.position
        LIMIT $3`,
      values: [after.transactionId, after.position, this.batchSize],
    });
    if (rows.length === 0) return 0;
    const batch: OutboxMessage[] = rows.map((row) => ({
      position: row.position,
      transactionId: row.transaction_id,
      messageId: row.message_id,
      topic: row.topic,
      key: row.key,
      headers: row.headers,
      value: row.value,
    }));
    await this.send(batch);
    await this.options.afterSend?.(batch);
    const last = batch.at(-1)!;
    const next = { transactionId: last.transactionId, position: last.position };
    await client.query({
      name: 'outbox_relay.save_checkpoint',
      text: `INSERT INTO outbox_relay_checkpoints (relay, transaction_id, position)
       VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (relay) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
      values: [this.name, next.transactionId, next.position],
    });
    this.checkpoint = next;
    return batch.length;
  }

  private async send(batch: readonly OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of batch) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.key, value: row.value, headers: { ...row.headers } });
      byTopic.set(row.topic, messages);
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
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.lockClient = client;
    this.checkpoint = undefined; // another relay may have moved it while we stood by
    return true;
  }

  private async release(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.checkpoint = undefined;
    // Destroying the connection ends the session, which releases the session lock for sure.
    client?.release(true);
  }

  private async loadCheckpoint(client: PoolClient): Promise<Checkpoint> {
    const { rows } = await client.query<{ transaction_id: string; position: string }>(
      'SELECT transaction_id::text, position::text FROM outbox_relay_checkpoints WHERE relay = $1',
      [this.name],
    );
    const row = rows[0];
    return row
      ? { transactionId: row.transaction_id, position: row.position }
      : { transactionId: '0', position: '0' };
  }

  private async cleanupIfDue(): Promise<void> {
    if (this.retentionMs <= 0 || Date.now() - this.lastCleanup < this.cleanupIntervalMs) return;
    this.lastCleanup = Date.now();
    const at = this.checkpoint!;
    await this.lockClient!.query(
      `DELETE FROM outbox
        WHERE (transaction_id, position) <= ($1::xid8, $2::bigint)
          AND created_at < now() - make_interval(secs => $3::double precision / 1000)`,
      [at.transactionId, at.position, this.retentionMs],
    );
  }

  private registerMetrics(registry: Registry): void {
    const pool = this.options.pool;
    let sources = metricSources.get(registry);
    if (!sources) {
      sources = new Map();
      metricSources.set(registry, sources);
      registerOutboxGauges(registry, sources);
    }
    // A later relay of the same name (a restart) replaces the earlier one's source.
    sources.set(this.name, async (name) => {
      const { rows } = await pool.query<{ backlog: string; oldest: number | null }>(
        `SELECT count(*)::text AS backlog,
                extract(epoch FROM now() - min(o.created_at))::float8 AS oldest
           FROM outbox o
           LEFT JOIN outbox_relay_checkpoints c ON c.relay = $1
          WHERE c.relay IS NULL OR (o.transaction_id, o.position) > (c.transaction_id, c.position)`,
        [name],
      );
      return { backlog: Number(rows[0]?.backlog ?? 0), oldest: rows[0]?.oldest ?? 0 };
    });
  }
}

type OutboxStats = (relay: string) => Promise<{ backlog: number; oldest: number }>;
const metricSources = new WeakMap<Registry, Map<string, OutboxStats>>();

/** One pair of gauges per registry, labelled by relay; collect() queries on every scrape. */
function registerOutboxGauges(registry: Registry, sources: Map<string, OutboxStats>): void {
  const collectAll = async (gauge: Gauge<'relay'>, pick: 'backlog' | 'oldest') => {
    for (const [relay, stats] of sources) gauge.set({ relay }, (await stats(relay))[pick]);
  };
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published (after the relay checkpoint)',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      await collectAll(this, 'backlog');
    },
  });
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest outbox row not yet published, seconds (0 when none)',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      await collectAll(this, 'oldest');
    },
  });
}

function isKafkaError(error: unknown): boolean {
  return String((error as Error | undefined)?.name ?? '').startsWith('KafkaJS');
}
