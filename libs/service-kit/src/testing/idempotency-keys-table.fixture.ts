import type { Pool } from 'pg';
import { runMigration } from '@fulfil/testing';
import type { DataSource } from 'typeorm';
import { IDEMPOTENCY_MIGRATIONS } from '../idempotency/idempotency.migrations';
import { IdempotencyStore } from '../idempotency/idempotency.store';

/**
 * Runs `IDEMPOTENCY_MIGRATIONS` on `pool` without TypeORM, for tests that build the store on a
 * pool of their own: the table exactly as a service has it — or, given the first of them only,
 * as a service that lacks the later ones has it.
 */
export async function createIdempotencyKeysTable(
  pool: Pick<Pool, 'query'>,
  migrations: readonly (typeof IDEMPOTENCY_MIGRATIONS)[number][] = IDEMPOTENCY_MIGRATIONS,
): Promise<void> {
  for (const Migration of migrations) await runMigration(pool, new Migration(), 'up');
}

/** A store as a service process has it: on the pool of its TypeORM DataSource, here `pool`. */
export function idempotencyStoreOn(pool: Pool): IdempotencyStore {
  return new IdempotencyStore({ driver: { master: pool } } as unknown as DataSource);
}
