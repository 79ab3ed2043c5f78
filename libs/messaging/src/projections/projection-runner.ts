import { withTransaction } from '@fulfil/event-store';
import type { Checkpoint, EventStore, RecordedEvent } from '@fulfil/event-store';
import type { Pool, PoolClient } from 'pg';
import {
  backoffDelay,
  silentLogger,
  sleep,
  type BackoffOptions,
  type MessagingLogger,
} from '../shared/backoff';

/**
 * A read model fed from the event store's log. `apply` and `reset` write through `client`,
 * the runner's transaction, which also moves the projection's checkpoint: an event is applied
 * exactly once, crash or not.
 */
export interface Projection {
  /** Unique per database; the checkpoint's key. */
  readonly name: string;
  /** Event types (`RecordedEvent.type`) it reads; others only move the checkpoint. */
  readonly eventTypes: readonly string[];
  apply(event: RecordedEvent, client: PoolClient): Promise<void>;
  /** Empties the read model (for `rebuild`). */
  reset(client: PoolClient): Promise<void>;
}

/** Options of {@link ProjectionRunner}. */
export interface ProjectionRunnerOptions {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  /** Events per transaction. Default 100. */
  readonly batchSize?: number;
  /** Wait when caught up, ms. Default 200. */
  readonly pollIntervalMs?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: MessagingLogger;
}

/**
 * Runs projections over `EventStore.readAll` (commit-safe order: no committed event is ever
 * skipped). Per batch, one transaction locks the projection's checkpoint row, applies the
 * events and stores the new checkpoint, so concurrent runners never apply an event twice.
 */
export class ProjectionRunner {
  private readonly byName = new Map<string, Projection>();
  private readonly batchSize: number;
  private readonly logger: MessagingLogger;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ProjectionRunnerOptions) {
    for (const projection of options.projections) {
      if (this.byName.has(projection.name)) {
        throw new Error(`duplicate projection name ${projection.name}`);
      }
      this.byName.set(projection.name, projection);
    }
    this.batchSize = options.batchSize ?? 100;
    this.logger = options.logger ?? silentLogger;
  }

  /** Polls every projection in the background until `stop()`. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** Applies every event available now to `name` (all projections when omitted); returns how many events were read. */
  async catchUp(name?: string): Promise<number> {
    let total = 0;
    for (const projection of name ? [this.get(name)] : this.byName.values()) {
      for (;;) {
        const read = await this.step(projection);
        total += read;
        if (read < this.batchSize) break;
      }
    }
    return total;
  }

  /**
   * Empties the read model (`reset`) and replays the whole log into it, in ONE transaction:
   * readers see the old model until the new one is complete. Events committed meanwhile are
   * picked up by the next poll.
   */
  async rebuild(name: string): Promise<void> {
    const projection = this.get(name);
    await withTransaction(this.options.pool, async (client) => {
      await this.lockCheckpoint(client, projection.name);
      await projection.reset(client);
      let after: Checkpoint | null = null;
      for (;;) {
        const { events, checkpoint } = await this.options.store.readAll({
          after,
          limit: this.batchSize,
        });
        for (const event of events) await this.applyIfHandled(projection, event, client);
        after = checkpoint;
        if (events.length < this.batchSize) break;
      }
      await this.saveCheckpoint(client, projection.name, after);
    });
  }

  /** The stored checkpoint of `name`, or null before its first event. */
  async checkpoint(name: string): Promise<Checkpoint | null> {
    const { rows } = await this.options.pool.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text, position::text FROM projection_checkpoints
        WHERE projection = $1`,
      [name],
    );
    const row = rows[0];
    return row && row.transaction_id !== '0'
      ? { transactionId: row.transaction_id, globalPosition: row.position }
      : null;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const read = await this.catchUp();
        failures = 0;
        if (read === 0) await sleep(this.options.pollIntervalMs ?? 200, signal);
      } catch (error) {
        failures += 1;
        this.logger.warn(`projection runner: ${(error as Error).message}`);
        await sleep(backoffDelay(failures, this.options.backoff), signal);
      }
    }
  }

  /** One batch: read after the stored checkpoint, apply and move it, atomically. */
  private async step(projection: Projection): Promise<number> {
    const after = await this.checkpoint(projection.name);
    // Read outside the transaction (the event store's advice), then re-check the checkpoint
    // under a row lock: if another runner moved it meanwhile, this batch is stale — skip it.
    const { events, checkpoint } = await this.options.store.readAll({
      after,
      limit: this.batchSize,
    });
    if (events.length === 0) return 0;
    return withTransaction(this.options.pool, async (client) => {
      const locked = await this.lockCheckpoint(client, projection.name);
      if (!sameCheckpoint(locked, after)) return 0;
      for (const event of events) await this.applyIfHandled(projection, event, client);
      await this.saveCheckpoint(client, projection.name, checkpoint);
      return events.length;
    });
  }

  private async applyIfHandled(projection: Projection, event: RecordedEvent, client: PoolClient) {
    if (projection.eventTypes.includes(event.type)) await projection.apply(event, client);
  }

  private async lockCheckpoint(client: PoolClient, name: string): Promise<Checkpoint | null> {
    await client.query(
      `INSERT INTO projection_checkpoints (projection, transaction_id, position)
       VALUES ($1, '0'::xid8, 0) ON CONFLICT (projection) DO NOTHING`,
      [name],
    );
    const { rows } = await client.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text, position::text FROM projection_checkpoints
        WHERE projection = $1 FOR UPDATE`,
      [name],
    );
    const row = rows[0]!;
    return row.transaction_id === '0'
      ? null
      : { transactionId: row.transaction_id, globalPosition: row.position };
  }

  private async saveCheckpoint(client: PoolClient, name: string, at: Checkpoint | null) {
    await client.query(
      `UPDATE projection_checkpoints SET transaction_id = $2::xid8, position = $3::bigint,
              updated_at = now()
        WHERE projection = $1`,
      [name, at?.transactionId ?? '0', at?.globalPosition ?? '0'],
    );
  }

  private get(name: string): Projection {
    const projection = this.byName.get(name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    return projection;
  }
}

function sameCheckpoint(a: Checkpoint | null, b: Checkpoint | null): boolean {
  return a?.transactionId === b?.transactionId && a?.globalPosition === b?.globalPosition;
}
