import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the unique index on `payment_orders.payment_id`. One payment per order never rested on
 * it: the claim (`paymentOrders.claimForPayment`) sets `payment_id` only where it is still null,
 * on the locked row, so a duplicate `OrderStockReserved` claims nothing; and no query looks a
 * row up by its payment id. The index made every claim a non-HOT update (its column changes),
 * with a new entry in both indexes: of 1516 claims in a bench phase, none was HOT, where
 * `order_summaries`, updated as soon after its insert, had 2996 of 3012 (2026-12-06).
 */
export class DropPaymentIdUnique1733400000000 implements MigrationInterface {
  readonly name = 'DropPaymentIdUnique1733400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE payment_orders DROP CONSTRAINT IF EXISTS payment_orders_payment_id_key',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_payment_id_key UNIQUE (payment_id)',
    );
  }
}
