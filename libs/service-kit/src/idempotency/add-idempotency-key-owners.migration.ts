import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds `owner_key` to `idempotency_keys`: the advisory lock key of the process that claimed a
 * key (`ClaimOwner`), so that a retry can tell a claim whose process died from one still
 * running. Null for claims stored without an owner, which only their lock timeout ends.
 */
export class AddIdempotencyKeyOwners1733200000000 implements MigrationInterface {
  readonly name = 'AddIdempotencyKeyOwners1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_keys ADD COLUMN owner_key bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_keys DROP COLUMN owner_key');
  }
}
