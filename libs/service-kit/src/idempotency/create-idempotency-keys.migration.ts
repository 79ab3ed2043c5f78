import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `idempotency_keys`, where `@Idempotent()` routes keep each key's claim and
 * stored response. Add it to the migrations of every service with an idempotent route.
 *
 * One row per (caller, method, route pattern, key). `state` is `processing` while the first
 * request runs — owned by `lock_token` until `locked_until`, after which a retry may take
 * it over — and `completed` once its response (`response_*`) is stored. Rows past
 * `expires_at` are ignored and purged.
 */
export class CreateIdempotencyKeys1732600000000 implements MigrationInterface {
  readonly name = 'CreateIdempotencyKeys1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of CREATE_IDEMPOTENCY_KEYS_SQL) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS idempotency_keys');
  }
}

/** The statements of {@link CreateIdempotencyKeys1732600000000.up}, in order. */
export const CREATE_IDEMPOTENCY_KEYS_SQL: readonly string[] = [
  `CREATE TABLE idempotency_keys (
     caller text NOT NULL,
     method text NOT NULL,
     route text NOT NULL,
     idempotency_key text NOT NULL,
     fingerprint text NOT NULL,
     state text NOT NULL,
     lock_token uuid,
     locked_until timestamptz,
     response_status smallint,
     response_headers jsonb,
     response_body bytea,
     created_at timestamptz NOT NULL DEFAULT now(),
     completed_at timestamptz,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (caller, method, route, idempotency_key),
     CONSTRAINT idempotency_keys_state_check CHECK (
       (state = 'processing' AND lock_token IS NOT NULL AND locked_until IS NOT NULL)
       OR (state = 'completed' AND response_status IS NOT NULL AND response_headers IS NOT NULL)
     )
   )`,
  `CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`,
];
