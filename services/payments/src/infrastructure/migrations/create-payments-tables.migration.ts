import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments service's own tables besides the event store:
 * - `payment_orders`: what payments remembers of each order (from `OrderPlaced`, amended by
 *   `OrderLinesCancelled`, closed by `OrderCancelled`) and the one payment created for it
 *   (its unique index is dropped again by `DropPaymentIdUnique1733400000000`);
 * - `payment_webhooks`: every verified provider webhook, raw bytes first, unique by
 *   `webhook-id` (a replay is recognised and has no second effect).
 */
export class CreatePaymentsTables1732700000000 implements MigrationInterface {
  readonly name = 'CreatePaymentsTables1732700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE payment_orders (
       order_id text PRIMARY KEY,
       customer_id text NOT NULL,
       payment_method text NOT NULL,
       amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
       currency char(3) NOT NULL,
       payment_id uuid UNIQUE,
       cancelled_at timestamptz,
       placed_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`);
    await queryRunner.query(`CREATE TABLE payment_webhooks (
       webhook_id text PRIMARY KEY,
       provider text NOT NULL,
       signed_at timestamptz NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now(),
       raw_body bytea NOT NULL,
       status text NOT NULL DEFAULT 'received'
         CHECK (status IN ('received', 'processed', 'ignored', 'rejected')),
       outcome text,
       processed_at timestamptz
     )`);
    await queryRunner.query(
      `CREATE INDEX payment_webhooks_unprocessed_idx ON payment_webhooks (received_at) WHERE status = 'received'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS payment_webhooks`);
    await queryRunner.query(`DROP TABLE IF EXISTS payment_orders`);
  }
}
