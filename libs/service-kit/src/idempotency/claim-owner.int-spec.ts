// A key claimed by a process that died before answering: a retry takes it over at once, not
// after the claim's lock timeout, because the claim names its process's owner session, which
// PostgreSQL ended with the process. A claim whose owner lives keeps its key.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startFixtureProcess, waitFor } from '@fulfil/testing';
import { Pool } from 'pg';
import {
  createIdempotencyKeysTable,
  idempotencyStoreOn,
} from '../testing/idempotency-keys-table.fixture';
import { useIdempotencyStoreDatabase } from '../testing/idempotency-store-database.fixture';
import { OWNER_LOCK } from './claim-owner';
import { IdempotencyStore, type IdempotencyScope } from './idempotency.store';

jest.setTimeout(60_000);

const CLAIMING_PROCESS = join(__dirname, 'claiming-process.fixture.ts');
/** Far longer than any test here: only the owner's death can end such a claim in time. */
const LOCK_TIMEOUT_MS = 600_000;

const database = useIdempotencyStoreDatabase();
beforeAll(() => createIdempotencyKeysTable(database.pool));

const scopeOf = (key: string): IdempotencyScope => ({
  caller: 'storefront',
  method: 'POST',
  route: '/orders',
  key,
});
const claim = (on: IdempotencyStore, key: string) =>
  on.claim(scopeOf(key), 'fingerprint', LOCK_TIMEOUT_MS, 86_400_000);

/** The backend that holds the advisory lock named by `key`'s claim, if any. */
async function ownerBackend(key: string): Promise<number | undefined> {
  const { rows } = await database.pool.query<{ pid: number }>(
    `SELECT l.pid FROM idempotency_keys k JOIN pg_locks l ON ${OWNER_LOCK}
      WHERE k.idempotency_key = $1`,
    [key],
  );
  return rows[0]?.pid;
}

/** Starts a process that claims `key`, waits until it has; returns a SIGKILL for it. */
async function claimInAnotherProcess(key: string): Promise<() => Promise<void>> {
  const args = [database.infra.postgresUrl, key, String(LOCK_TIMEOUT_MS)];
  const claiming = await startFixtureProcess(CLAIMING_PROCESS, args, /^(not )?claimed$/);
  if (claiming.ready[1]) {
    await claiming.kill();
    throw new Error(`the other process could not claim key ${key}`);
  }
  return claiming.kill;
}

it('keeps a key its living process claimed, and gives it to a retry as soon as that process is killed', async () => {
  const key = randomUUID();
  const kill = await claimInAnotherProcess(key);
  try {
    expect(await claim(database.store, key)).toBeUndefined();
    expect(await database.store.find(scopeOf(key))).toEqual({
      state: 'processing',
      fingerprint: 'fingerprint',
      abandoned: false,
    });
  } finally {
    await kill();
  }
  // Minutes before the claim's lock times out, once PostgreSQL has seen the connection close.
  const taken = await waitFor(
    () => claim(database.store, key),
    'the retry to take the key over',
    10_000,
  );
  expect(taken.key).toBe(key);
  expect(await ownerBackend(key)).toBeDefined(); // the key is ours now, and so is its owner
});

it('reopens its owner session when the database ends it, under the same key, so its claims stay its own', async () => {
  const key = randomUUID();
  const ours = await claim(database.store, key);
  expect(ours).toBeDefined();
  const first = await ownerBackend(key);
  expect(first).toBeDefined();
  await database.pool.query('SELECT pg_terminate_backend($1)', [first]);
  const second = await waitFor(async () => {
    const pid = await ownerBackend(key);
    return pid !== undefined && pid !== first && pid;
  }, 'the owner session to be reopened');
  expect(second).not.toBe(first);

  const otherPool = new Pool({ connectionString: database.infra.postgresUrl, max: 1 });
  const otherProcess = idempotencyStoreOn(otherPool);
  try {
    expect(await claim(otherProcess, key)).toBeUndefined();
  } finally {
    await otherProcess.onApplicationShutdown();
    await otherPool.end();
  }
  expect(await database.store.complete(ours!, { status: 201, headers: {}, body: '{}' })).toBe(true);
});

it('leaves a claim stored without an owner to its lock timeout', async () => {
  const key = randomUUID();
  await database.pool.query(
    `INSERT INTO idempotency_keys
       (caller, method, route, idempotency_key, fingerprint, state, lock_token, locked_until,
        expires_at)
     VALUES ('storefront', 'POST', '/orders', $1, 'fingerprint', 'processing', $2,
             now() + interval '10 minutes', now() + interval '1 day')`,
    [key, randomUUID()],
  );
  expect(await claim(database.store, key)).toBeUndefined();
  await database.pool.query(
    `UPDATE idempotency_keys SET locked_until = now() - interval '1 second'
      WHERE idempotency_key = $1`,
    [key],
  );
  expect(await claim(database.store, key)).toBeDefined();
});
