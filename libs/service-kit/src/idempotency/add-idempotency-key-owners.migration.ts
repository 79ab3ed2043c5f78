import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds `owner_key` to `idempotency_keys`: the advisory lock key of the process that claimed a
 * key (`ClaimOwner`), so that a retry can tell a claim whose process died from one still
 * running. Null for claims stored without an owner, which only their lock timeout ends.
 */
export class AddIdempotencyKeyOwners1733200000000 implements MigrationInterface {
  readonly name = 'AddIdempotencyKeyOwners1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of ADD_IDEMPOTENCY_KEY_OWNERS_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_keys DROP COLUMN owner_key');
  }
}

/** The statements of {@link AddIdempotencyKeyOwners1733200000000.up}. */
export const ADD_IDEMPOTENCY_KEY_OWNERS_SQL: readonly string[] = [
  'ALTER TABLE idempotency_keys ADD COLUMN owner_key bigint',
];
