import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the event store of a service database: `events` (the log) and `snapshots`.
 * Add it to the service's `migrations` list (before migrations that reference `events`).
 *
 * - `transaction_id` (xid8, the writer's `pg_current_xact_id()`) plus `global_position` is
 *   the read-all order; the index `events_read_all_idx` serves it (see `EventStore.readAll`).
 * - UNIQUE (stream_id, stream_version) is the optimistic-concurrency guard: two writers that
 *   both expected version n cannot both write n + 1.
 */
export class CreateEventStore1732300000000 implements MigrationInterface {
  readonly name = 'CreateEventStore1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_EVENT_STORE_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS snapshots');
    await queryRunner.query('DROP TABLE IF EXISTS events');
  }
}

/** The statements of {@link CreateEventStore1732300000000.up}, in order. */
export const CREATE_EVENT_STORE_SQL: readonly string[] = [
  `CREATE TABLE events (
     global_position bigserial PRIMARY KEY,
     transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
     stream_id text NOT NULL,
     stream_version integer NOT NULL CHECK (stream_version >= 1),
     event_id uuid NOT NULL,
     event_type text NOT NULL,
     schema_version integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
     data jsonb NOT NULL,
     metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT events_event_id_key UNIQUE (event_id),
     CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
   )`,
  `CREATE INDEX events_read_all_idx ON events (transaction_id, global_position)`,
  `CREATE TABLE snapshots (
     stream_id text PRIMARY KEY,
     version integer NOT NULL CHECK (version >= 1),
     state jsonb NOT NULL,
     schema_version integer NOT NULL,
     taken_at timestamptz NOT NULL DEFAULT now()
   )`,
];
