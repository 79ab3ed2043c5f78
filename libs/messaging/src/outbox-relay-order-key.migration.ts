import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys `outbox` by the relay's order, `(transaction_id, position)`, and drops the two indexes
 * no statement reads: the primary key on `position` alone and the unique `message_id`. The
 * relay pages, checkpoints and deletes by `(transaction_id, position)` only, and a message id is
 * unique by construction (the id of the stored event it publishes, or a new UUID) — and
 * consumers de-duplicate by it anyway. Each message wrote an entry into all three indexes; the
 * two dropped cost about 1.1 kB of the 34 kB of WAL an order wrote in the order benchmark
 * (2026-12-07), and B-tree work on each insert and, after the retention, on each delete.
 *
 * The new key is built with the table locked, so writers wait for it: on an outbox holding
 * days of messages (the relay's retention), migrate in a quiet hour.
 */
export class OutboxRelayOrderKey1733500000000 implements MigrationInterface {
  readonly name = 'OutboxRelayOrderKey1733500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of OUTBOX_RELAY_ORDER_KEY_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX outbox_relay_idx ON outbox (transaction_id, position)');
    await queryRunner.query(
      `ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ADD CONSTRAINT outbox_pkey PRIMARY KEY (position),
         ADD CONSTRAINT outbox_message_id_key UNIQUE (message_id)`,
    );
  }
}

/** The statements of {@link OutboxRelayOrderKey1733500000000.up}: after `CREATE_MESSAGING_SQL`. */
export const OUTBOX_RELAY_ORDER_KEY_SQL: readonly string[] = [
  `ALTER TABLE outbox DROP CONSTRAINT outbox_message_id_key, DROP CONSTRAINT outbox_pkey,
     ADD CONSTRAINT outbox_pkey PRIMARY KEY (transaction_id, position)`,
  'DROP INDEX outbox_relay_idx',
];
