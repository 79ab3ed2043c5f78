import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inventory service's tables besides the event store. Stock itself is event-sourced
 * (streams `sku-<skuId>` and `reservation-<reservationId>`); these are:
 *
 * - `locations` — reference data: warehouses and stores (plain rows, not event-sourced).
 * - `stock_levels` — the availability read model, written in the same transaction as the
 *   SKU's events (inline projection). Its CHECK constraints are the last line of defence
 *   against oversell: a bug that let the decider reserve more than is on hand would fail the
 *   transaction here instead of selling stock that is not there.
 * - `reservations` — the reservation read model behind `GET /reservations`.
 * - `stock_receipts` — receipt ids already booked, so a repeated receipt is not counted twice.
 * - `regional_demand` — units ordered per SKU, delivery region and day (R-INV-6).
 */
export class CreateInventoryTables1733100000000 implements MigrationInterface {
  readonly name = 'CreateInventoryTables1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_INVENTORY_TABLES_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'regional_demand',
      'stock_receipts',
      'reservations',
      'stock_levels',
      'locations',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

export const CREATE_INVENTORY_TABLES_SQL: readonly string[] = [
  `CREATE TABLE locations (
     location_id text PRIMARY KEY,
     location_type text NOT NULL CHECK (location_type IN ('warehouse', 'store')),
     name text NOT NULL,
     region_code text NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE stock_levels (
     sku_id text NOT NULL,
     location_id text NOT NULL,
     location_type text NOT NULL,
     on_hand integer NOT NULL,
     reserved integer NOT NULL,
     available integer GENERATED ALWAYS AS (on_hand - reserved) STORED,
     low_stock_threshold integer NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (sku_id, location_id),
     CONSTRAINT stock_levels_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand),
     CONSTRAINT stock_levels_available_not_negative CHECK (on_hand - reserved >= 0)
   )`,
  `CREATE TABLE reservations (
     reservation_id text PRIMARY KEY,
     order_id text NOT NULL UNIQUE,
     status text NOT NULL,
     channel text NULL,
     preferred_location_id text NULL,
     allocated_elsewhere boolean NOT NULL DEFAULT false,
     failure_reason text NULL,
     expires_at timestamptz NULL,
     lines jsonb NOT NULL,
     held jsonb NOT NULL,
     shortages jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE stock_receipts (
     receipt_id text PRIMARY KEY,
     sku_id text NOT NULL,
     location_id text NOT NULL,
     quantity integer NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE regional_demand (
     sku_id text NOT NULL,
     region_code text NOT NULL,
     day date NOT NULL,
     units bigint NOT NULL,
     orders integer NOT NULL,
     PRIMARY KEY (sku_id, region_code, day)
   )`,
];
