import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The orders service's own tables besides the event store:
 *
 * - `order_delivery_addresses` — personal data (recipient, phone, street) kept OUT of the
 *   immutable event log and the integration events: one mutable row per order, keyed by order
 *   and customer, so it can be corrected or erased (ARCHITECTURE.md, personal data).
 * - `order_summaries` — the read model behind `GET /orders?customerId=`, written in the same
 *   transaction as the order's events (a projection of the stream; `version` makes re-applying
 *   an event a no-op).
 */
export class CreateOrderTables1733000000000 implements MigrationInterface {
  readonly name = 'CreateOrderTables1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_ORDER_TABLES_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS order_summaries');
    await queryRunner.query('DROP TABLE IF EXISTS order_delivery_addresses');
  }
}

export const CREATE_ORDER_TABLES_SQL: readonly string[] = [
  `CREATE TABLE order_delivery_addresses (
     order_id text PRIMARY KEY,
     customer_id text NOT NULL,
     address jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX order_delivery_addresses_customer_idx ON order_delivery_addresses (customer_id)`,
  `CREATE TABLE order_summaries (
     order_id text PRIMARY KEY,
     order_number text NOT NULL UNIQUE,
     customer_id text NOT NULL,
     channel text NOT NULL,
     status text NOT NULL,
     payment_method text NOT NULL,
     total_minor bigint NOT NULL,
     currency char(3) NOT NULL,
     placed_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     version integer NOT NULL
   )`,
  `CREATE INDEX order_summaries_customer_idx
     ON order_summaries (customer_id, placed_at DESC, order_id DESC)`,
];
