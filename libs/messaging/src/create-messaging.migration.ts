import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the messaging tables of a service database. List it after
 * `CreateEventStore1732300000000` in the service's migrations.
 *
 * - `outbox`: integration events waiting for (or kept after) publication. `transaction_id`
 *   (the writer's `pg_current_xact_id()`) plus `position` is the relay's commit-safe read
 *   order, the same watermark technique as the event store's `readAll`.
 * - `outbox_relay_checkpoints`: where each relay (by name) stands.
 * - `inbox`: event ids a consumer group has processed (the idempotence guard).
 * - `projection_checkpoints`: where each projection stands in the event store's log.
 */
export class CreateMessaging1732400000000 implements MigrationInterface {
  readonly name = 'CreateMessaging1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_MESSAGING_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['projection_checkpoints', 'inbox', 'outbox_relay_checkpoints', 'outbox']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

/** The statements of {@link CreateMessaging1732400000000.up}, in order. */
export const CREATE_MESSAGING_SQL: readonly string[] = [
  `CREATE TABLE outbox (
     position bigserial PRIMARY KEY,
     transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
     message_id uuid NOT NULL,
     topic text NOT NULL,
     key text NOT NULL,
     headers jsonb NOT NULL,
     value bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT outbox_message_id_key UNIQUE (message_id)
   )`,
  `CREATE INDEX outbox_relay_idx ON outbox (transaction_id, position)`,
  `CREATE TABLE outbox_relay_checkpoints (
     relay text PRIMARY KEY,
     transaction_id xid8 NOT NULL,
     position bigint NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE inbox (
     consumer_group text NOT NULL,
     event_id text NOT NULL,
     event_type text NOT NULL,
     source_topic text NOT NULL,
     source_partition integer NOT NULL,
     source_offset bigint NOT NULL,
     processed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (consumer_group, event_id)
   )`,
  `CREATE TABLE projection_checkpoints (
     projection text PRIMARY KEY,
     transaction_id xid8 NOT NULL,
     position bigint NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
];
