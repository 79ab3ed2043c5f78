import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import { Pool } from 'pg';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import { idempotencyStoreOn } from './idempotency-keys-table.fixture';

/** What {@link useIdempotencyStoreDatabase} sets up, filled in by its `beforeAll`. */
export interface IdempotencyStoreDatabase {
  readonly postgresUrl: string;
  readonly pool: Pool;
  /** A store on `pool`, as a service process has it; no table is created. */
  readonly store: IdempotencyStore;
}

/**
 * For a spec of the store itself: the test infrastructure's PostgreSQL, a pool on it and an
 * `IdempotencyStore` on that pool, from `beforeAll` to `afterAll` (the store's owner session
 * ends before the pool and the infrastructure).
 */
export function useIdempotencyStoreDatabase(): IdempotencyStoreDatabase {
  const database = {} as { postgresUrl: string; pool: Pool; store: IdempotencyStore };
  let infra: TestInfrastructure | undefined;
  beforeAll(async () => {
    infra = await startTestInfrastructure();
    database.postgresUrl = infra.postgresUrl;
    database.pool = new Pool({ connectionString: infra.postgresUrl, max: 2 });
    database.store = idempotencyStoreOn(database.pool);
  });
  afterAll(async () => {
    await database.store?.onApplicationShutdown();
    await database.pool?.end();
    await infra?.stop();
  });
  return database;
}
