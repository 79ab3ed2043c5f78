import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The share of each `idempotency_keys` page a claim may fill, in %: the rest is kept for the
 * answers, so that storing one is a HOT update (the new version on the same page, no new
 * index entries). A claim is a couple of hundred bytes; the answer that replaces it holds the
 * response (an order is about a kilobyte), several times the claim. With pages packed full
 * (PostgreSQL's default, 100) 91 % of the answers in bench:orders moved to another page, each
 * adding an entry to the four-column primary key and to `expires_at`'s index, and leaving the
 * old ones for vacuum. At 10 (PostgreSQL's minimum) every answer stayed on its page: per order
 * 3 WAL records for the key instead of 4.6–4.9, one primary-key entry instead of two, 0.8 kB
 * less WAL (about 2.5 % of the platform's).
 */
export const CLAIM_FILL_PERCENT = 10;

/** Leaves room on each `idempotency_keys` page for the answers of the claims on it. */
export class IdempotencyKeysRoomForAnswers1733700000000 implements MigrationInterface {
  readonly name = 'IdempotencyKeysRoomForAnswers1733700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Applies to pages filled from now on; a brief SHARE UPDATE EXCLUSIVE lock, no rewrite.
    await queryRunner.query(
      `ALTER TABLE idempotency_keys SET (fillfactor = ${CLAIM_FILL_PERCENT})`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_keys RESET (fillfactor)');
  }
}

/**
 * For a service whose idempotent routes take their keys with their answers (`claimWithAnswer`):
 * each key's row is then inserted whole and not updated, and the room the migration above keeps
 * would only spread the rows out — an answer of about a kilobyte, alone on its 8 kB page. Packs
 * the pages full again (PostgreSQL's default). Add it after `IDEMPOTENCY_MIGRATIONS`; the few
 * answers of routes that claim first then move to another page (see `CLAIM_FILL_PERCENT`).
 */
export class IdempotencyKeysPackedForAnswers1796700000000 implements MigrationInterface {
  readonly name = 'IdempotencyKeysPackedForAnswers1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_keys RESET (fillfactor)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE idempotency_keys SET (fillfactor = ${CLAIM_FILL_PERCENT})`,
    );
  }
}
