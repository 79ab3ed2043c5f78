// A service whose database lacks some of IDEMPOTENCY_MIGRATIONS is told which migrations to
// add; any other undefined table or column keeps PostgreSQL's own error, which names it.
import { createIdempotencyKeysTable } from '../testing/idempotency-keys-table.fixture';
import { useIdempotencyStoreDatabase } from '../testing/idempotency-store-database.fixture';
import { IDEMPOTENCY_MIGRATIONS } from './idempotency.migrations';

jest.setTimeout(60_000);

const database = useIdempotencyStoreDatabase();
beforeEach(() => database.pool.query('DROP TABLE IF EXISTS idempotency_keys'));

const claim = () =>
  database.store.claim(
    { caller: 'storefront', method: 'POST', route: '/orders', key: 'k-1' },
    'fingerprint',
    10_000,
    86_400_000,
  );

const MIGRATIONS_HINT = /add IDEMPOTENCY_MIGRATIONS from @fulfil\/service-kit/;

describe('IdempotencyStore on a database without its migrations', () => {
  it('names the migrations when the table does not exist', async () => {
    await expect(claim()).rejects.toThrow(MIGRATIONS_HINT);
  });

  it('names them when the table predates a later migration (no owner_key)', async () => {
    await createIdempotencyKeysTable(database.pool, IDEMPOTENCY_MIGRATIONS.slice(0, 1));

    await expect(claim()).rejects.toThrow(MIGRATIONS_HINT);
  });

  it("keeps PostgreSQL's own error for a column no migration adds", async () => {
    await createIdempotencyKeysTable(database.pool);
    await database.pool.query('ALTER TABLE idempotency_keys DROP COLUMN fingerprint');

    const failure = await claim().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/column "fingerprint".* does not exist/);
    expect(failure?.message).not.toMatch(MIGRATIONS_HINT);
  });

  it('claims once every migration ran', async () => {
    await createIdempotencyKeysTable(database.pool);

    await expect(claim()).resolves.toMatchObject({ lockToken: expect.any(String) });
  });
});
