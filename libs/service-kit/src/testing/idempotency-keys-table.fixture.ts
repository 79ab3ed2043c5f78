import type { Pool } from 'pg';
import type { QueryRunner } from 'typeorm';
import { IDEMPOTENCY_MIGRATIONS } from '../idempotency/idempotency.migrations';

/**
 * Runs `IDEMPOTENCY_MIGRATIONS` on `pool` without TypeORM, for tests that build the store on a
 * pool of their own: the table exactly as a service has it.
 */
export async function createIdempotencyKeysTable(pool: Pick<Pool, 'query'>): Promise<void> {
  const queryRunner = { query: (sql: string) => pool.query(sql) } as unknown as QueryRunner;
  for (const Migration of IDEMPOTENCY_MIGRATIONS) await new Migration().up(queryRunner);
}
