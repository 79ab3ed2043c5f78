import { randomUUID } from 'node:crypto';
import type { ClientBase, Pool, PoolClient } from 'pg';
import {
  DuplicateEventIdError,
  EventStoreError,
  WrongExpectedVersionError,
} from './event-store.errors';
import type {
  Checkpoint,
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  RecordedEvent,
} from './event.types';
import { forgetAppended } from './appended-streams';
import {
  checkHead,
  CHECKED_APPEND_SQL,
  STREAM_HEAD_SQL,
  type HeadRow,
  type InsertedRow,
} from './checked-append';
import { CommittedStreams, DEFAULT_COMMITTED_STREAMS } from './committed-streams';
import { withTransaction } from './transaction';
import { Upcasters } from './upcasters';

/** A `pg` connection: a pool client inside a transaction, or a plain `pg.Client`. */
export type Queryable = Pick<ClientBase, 'query'>;

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  /**
   * With a numeric `expectedVersion`: the id of the event the caller knows at that version.
   * The append is refused (`head-mismatch`) unless the stream's last event is that very one.
   */
  readonly expectedLastEventId?: string;
  /** Append inside the caller's open transaction (e.g. from `withTransaction`) instead of a new one. */
  readonly client?: Queryable;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as `expectedVersion` next time. */
  readonly nextExpectedVersion: number;
  /** Global positions of the appended events, in the order given. */
  readonly globalPositions: readonly string[];
  /** The appended events as a read would return them (ids, versions, positions, times). */
  readonly recorded: readonly RecordedEvent[];
}

export interface Snapshot<State = unknown> {
  readonly streamId: string;
  /** Stream version the state reflects (all events up to and including it). */
  readonly version: number;
  readonly state: State;
  /** Version of the state's shape; a reader ignores snapshots of another version. */
  readonly schemaVersion: number;
  readonly takenAt: Date;
}

export interface EventStoreOptions {
  /** Upcasters applied on read; also give the schema version stamped on new events. */
  readonly upcasters?: Upcasters;
  /**
   * How many streams `CommandHandler` keeps as it last saw them committed, to decide the next
   * command on one without reading it (see `CommittedStreams`). Default 10 000; 0 turns it off.
   */
  readonly committedStreams?: number;
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

const EVENT_COLUMNS = `global_position::text, transaction_id::text, stream_id, stream_version,
  event_id::text, event_type, schema_version, data, metadata, recorded_at`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The event store of one service database (tables from `CreateEventStore1732300000000`), in
 * raw SQL through `pg`. Safe for concurrent use; every method takes connections from the pool
 * unless given a `client`.
 */
export class EventStore {
  private readonly upcasters: Upcasters;
  /** What `CommandHandler` last saw committed of each stream; appends here make it forget. */
  readonly committedStreams: CommittedStreams;

  constructor(
    private readonly pool: Pool,
    options: EventStoreOptions = {},
  ) {
    this.upcasters = options.upcasters ?? new Upcasters();
    this.committedStreams = new CommittedStreams(
      options.committedStreams ?? DEFAULT_COMMITTED_STREAMS,
    );
  }

  /**
   * Runs `work` in one transaction (READ COMMITTED) and commits, or rolls back when it throws.
   * Pass `client` to `appendToStream` and write other rows (the outbox) through it: all of it
   * commits or none of it does.
   */
  async withTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  /**
   * Appends `events` to `streamId` as versions current + 1 … current + n, in one transaction
   * (the caller's when `options.client` is given) and one statement that checks the stream
   * head and inserts (plus an advisory lock first for `'any'`).
   *
   * @throws {WrongExpectedVersionError} the stream is not at `expectedVersion`, or a concurrent
   *   writer took the same version, or a younger transaction wrote the stream's last event.
   *   Nothing of the batch remains and no SQL error was raised: inside the caller's
   *   transaction, that transaction stays usable (e.g. to reload and retry).
   * @throws {DuplicateEventIdError} an event id already exists; nothing was written. This one
   *   is a database error: inside the caller's transaction, it is aborted — roll it back.
   */
  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const prepared = events.map((event) => this.prepare(event));
    const run = (client: Queryable) => {
      // What was remembered of the stream (`CommandHandler`) is behind it now.
      this.committedStreams.forget(client, streamId);
      return this.append(client, streamId, prepared, options);
    };
    if (!options.client) return this.withTransaction(run);
    forgetAppended(options.client, streamId);
    return run(options.client);
  }

  /** A stream's events in version order, from `fromVersion` (default 1), upcast. */
  async readStream(
    streamId: string,
    options: { fromVersion?: number; client?: Queryable } = {},
  ): Promise<RecordedEvent[]> {
    const { rows } = await (options.client ?? this.pool).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_version >= $2
        ORDER BY events.stream_version`,
      [streamId, options.fromVersion ?? 1],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * The next at most `limit` events of the whole store after `after` (null: from the start),
   * and the checkpoint to continue from (the last event's, or `after` when there is none yet).
   *
   * Never skips a committed event, and gives each stream's events in version order.
   *
   * Why not `WHERE global_position > $last`: a sequence value is taken when a row is inserted,
   * not when its transaction commits. T1 takes position 10, T2 takes 11 and commits first; a
   * reader sees 11, advances its checkpoint to 11, and when T1 commits, 10 is behind it for
   * ever — skipped. Instead every row carries its writer's transaction id, and we only read
   * rows of transactions older than the snapshot's xmin (`pg_snapshot_xmin`): every transaction
   * below xmin has finished, so no row can still appear before the checkpoint, and every
   * transaction that starts writing later gets a larger id, so its rows sort after it. The
   * price: events wait while an older transaction (anywhere in the cluster) stays open.
   * Per-stream order holds because `appendToStream` refuses (transaction-order conflict) to
   * append after a stream's last event written by a younger transaction.
   */
  async readAll(options: {
    after: Checkpoint | null;
    limit: number;
    client?: Queryable;
  }): Promise<{ events: RecordedEvent[]; checkpoint: Checkpoint | null }> {
    const { after, limit } = options;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new EventStoreError('EVENT_STORE.INVALID_ARGUMENT', `limit must be ≥ 1, got ${limit}`);
    }
    const { rows } = await (options.client ?? this.pool).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        -- Qualified: bare names would sort by the ::text output columns ('10' < '9').
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      [after?.transactionId ?? '0', after?.globalPosition ?? '0', limit],
    );
    const events = rows.map((row) => this.toRecorded(row));
    const last = events.at(-1);
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : after,
    };
  }

  /** Stores `state` as of stream `version`; an older snapshot never replaces a newer one. */
  async saveSnapshot<State>(
    streamId: string,
    snapshot: { version: number; state: State; schemaVersion: number },
    options: { client?: Queryable } = {},
  ): Promise<void> {
    await (options.client ?? this.pool).query(
      `INSERT INTO snapshots (stream_id, version, state, schema_version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE
         SET version = EXCLUDED.version, state = EXCLUDED.state,
             schema_version = EXCLUDED.schema_version, taken_at = now()
       WHERE snapshots.version <= EXCLUDED.version`,
      [streamId, snapshot.version, JSON.stringify(snapshot.state), snapshot.schemaVersion],
    );
  }

  /** The stream's snapshot, or null. Check `schemaVersion` before trusting `state`. */
  async loadLatestSnapshot<State = unknown>(
    streamId: string,
    options: { client?: Queryable } = {},
  ): Promise<Snapshot<State> | null> {
    const { rows } = await (options.client ?? this.pool).query<{
      version: number;
      state: State;
      schema_version: number;
      taken_at: Date;
    }>('SELECT version, state, schema_version, taken_at FROM snapshots WHERE stream_id = $1', [
      streamId,
    ]);
    const row = rows[0];
    return row
      ? {
          streamId,
          version: row.version,
          state: row.state,
          schemaVersion: row.schema_version,
          takenAt: row.taken_at,
        }
      : null;
  }

  private prepare(event: NewEvent) {
    const metadata: EventMetadata = event.metadata ?? {};
    const eventId = metadata.eventId ?? randomUUID();
    const schemaVersion = event.schemaVersion ?? this.upcasters.currentVersion(event.type);
    const invalid = (why: string) =>
      new EventStoreError('EVENT_STORE.INVALID_EVENT', `Event ${event.type}: ${why}`);
    if (typeof event.type !== 'string' || event.type === '') throw invalid('type is empty');
    if (typeof eventId !== 'string' || !UUID.test(eventId)) throw invalid('eventId is not a UUID');
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1) throw invalid('bad schemaVersion');
    let recordedAt: string | null = null;
    if (metadata.now !== undefined) {
      const time = new Date(metadata.now);
      if (Number.isNaN(time.getTime())) throw invalid('metadata.now is not a time');
      recordedAt = time.toISOString();
    }
    return {
      eventId,
      type: event.type,
      schemaVersion,
      data: JSON.stringify(event.data ?? null),
      metadata: JSON.stringify({ ...metadata, eventId }),
      recordedAt,
    };
  }

  private async append(
    client: Queryable,
    streamId: string,
    events: readonly ReturnType<EventStore['prepare']>[],
    { expectedVersion, expectedLastEventId }: AppendOptions,
  ): Promise<AppendResult> {
    if (expectedVersion === 'any') {
      // Serialise 'any' writers of one stream so they never collide on a version.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [streamId]);
    }
    const expected = expectedVersion === 'no_stream' ? 0 : expectedVersion;
    // Only a stream with events has a last event to expect.
    const expectedHead =
      typeof expected === 'number' && expected > 0 ? expectedLastEventId : undefined;
    const check = (head: HeadRow) =>
      checkHead(streamId, expectedVersion, expected, expectedHead, head);
    if (events.length === 0) {
      // Nothing to insert, but the expected version is still checked.
      const { rows } = await client.query<HeadRow>({
        name: 'event_store.stream_head',
        text: STREAM_HEAD_SQL,
        values: [streamId],
      });
      const head = rows[0]!;
      check(head);
      return { nextExpectedVersion: head.version, globalPositions: [], recorded: [] };
    }
    let rows: (HeadRow & InsertedRow)[];
    try {
      ({ rows } = await client.query<HeadRow & InsertedRow>({
        // Named: prepared once per connection, so appends skip re-planning (the hot path).
        name: 'event_store.checked_append',
        text: CHECKED_APPEND_SQL,
        values: [
          streamId,
          expected === 'any' ? null : expected,
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => e.schemaVersion),
          events.map((e) => e.data),
          events.map((e) => e.metadata),
          events.map((e) => e.recordedAt),
          expectedHead ?? null,
        ],
      }));
    } catch (error) {
      const pgError = error as { code?: string; constraint?: string };
      // ON CONFLICT absorbs (stream_id, stream_version) clashes; kept in case one slips through.
      if (pgError.code === '23505' && pgError.constraint === 'events_stream_version_key') {
        throw new WrongExpectedVersionError(streamId, expectedVersion, null, 'concurrent-append', {
          cause: error,
        });
      }
      if (pgError.code === '23505' && pgError.constraint === 'events_event_id_key') {
        throw new DuplicateEventIdError(streamId, { cause: error });
      }
      throw error;
    }
    const head = rows[0]!;
    const inserted = rows
      .filter((row) => row.global_position !== null)
      .sort((a, b) => a.stream_version! - b.stream_version!);
    if (inserted.length !== events.length) {
      // Nothing, or only part of the batch, was inserted. Those rows are this transaction's own
      // and uncommitted: delete them, so the caller's transaction stays usable and clean.
      if (inserted.length > 0) {
        await client.query({
          name: 'event_store.undo_append',
          text: 'DELETE FROM events WHERE global_position = ANY($1::bigint[])',
          values: [inserted.map((row) => row.global_position)],
        });
      }
      check(head);
      // The head passed the checks, so a concurrent writer took (some of) our versions first.
      throw new WrongExpectedVersionError(streamId, expectedVersion, null, 'concurrent-append');
    }
    return {
      nextExpectedVersion: head.version + events.length,
      globalPositions: inserted.map((row) => row.global_position!),
      recorded: inserted.map((row, i) => {
        const event = events[i]!;
        return {
          type: event.type,
          data: JSON.parse(event.data) as unknown,
          metadata: JSON.parse(event.metadata) as EventMetadata,
          eventId: event.eventId,
          streamId,
          streamVersion: row.stream_version!,
          schemaVersion: event.schemaVersion,
          globalPosition: row.global_position!,
          transactionId: row.transaction_id!,
          recordedAt: row.recorded_at!,
        };
      }),
    };
  }

  private toRecorded(row: EventRow): RecordedEvent {
    const { data, schemaVersion } = this.upcasters.upcast(
      row.event_type,
      row.schema_version,
      row.data,
      row.metadata,
    );
    return {
      type: row.event_type,
      data,
      metadata: row.metadata,
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      schemaVersion,
      globalPosition: row.global_position,
      transactionId: row.transaction_id,
      recordedAt: row.recorded_at,
    };
  }
}
