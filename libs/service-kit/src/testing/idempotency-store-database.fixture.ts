import { useTestDatabase, type TestDatabase } from '@fulfil/testing';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import { idempotencyStoreOn } from './idempotency-keys-table.fixture';

/**
 * For a spec of the store itself: the test infrastructure's database, a pool on it and an
 * `IdempotencyStore` on that pool, as a service process has it (no table is created). The
 * store's owner session ends before the pool closes.
 */
export function useIdempotencyStoreDatabase(): TestDatabase & { readonly store: IdempotencyStore } {
  let store: IdempotencyStore | undefined;
  const database = useTestDatabase({ max: 2, release: async () => store?.onApplicationShutdown() });
  beforeAll(() => {
    store = idempotencyStoreOn(database.pool);
  });
  return {
    get infra() {
      return database.infra;
    },
    get pool() {
      return database.pool;
    },
    get store() {
      return store!;
    },
  };
}
