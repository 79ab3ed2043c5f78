// Storing an answer rewrites its key's row several times bigger: with the room
// IdempotencyKeysRoomForAnswers keeps on each page, the new version stays on its claim's page
// (a HOT update: no new index entries, nothing left in the indexes for vacuum).
import { runMigration } from '@fulfil/testing';
import { createIdempotencyKeysTable } from '../testing/idempotency-keys-table.fixture';
import { useIdempotencyStoreDatabase } from '../testing/idempotency-store-database.fixture';
import { IDEMPOTENCY_MIGRATIONS } from './idempotency.migrations';
import type { IdempotencyClaim } from './idempotency.store';
import {
  CLAIM_FILL_PERCENT,
  IdempotencyKeysRoomForAnswers1733700000000,
} from './room-for-answers.migration';

jest.setTimeout(60_000);

const database = useIdempotencyStoreDatabase();
beforeEach(() => database.pool.query('DROP TABLE IF EXISTS idempotency_keys'));

/** An order's answer, about the size bench:orders stores (a kilobyte of JSON). */
const ANSWER = {
  status: 201,
  headers: { 'content-type': 'application/json; charset=utf-8', location: '/orders/o-1' },
  body: JSON.stringify({ orderId: 'o-1', lines: 'x'.repeat(1_000) }),
};

/** The page each key's row is on. */
async function pagesOfRows(): Promise<Map<string, number>> {
  const { rows } = await database.pool.query<{ key: string; page: number }>(
    `SELECT idempotency_key AS key, (ctid::text::point)[0]::int AS page FROM idempotency_keys`,
  );
  return new Map(rows.map((row) => [row.key, row.page]));
}

/** Claims `count` keys, then stores an answer for each; how many rows left their claim's page. */
async function answersThatMoved(count: number): Promise<number> {
  const claims: IdempotencyClaim[] = [];
  for (let i = 0; i < count; i += 1) {
    const scope = { caller: 'storefront', method: 'POST', route: '/orders', key: `key-${i}` };
    const claim = await database.store.claim(scope, `fingerprint-${i}`, 30_000, 86_400_000);
    claims.push(claim!);
  }
  const before = await pagesOfRows();
  for (const claim of claims) expect(await database.store.complete(claim, ANSWER)).toBe(true);
  const after = await pagesOfRows();
  return [...before].filter(([key, page]) => after.get(key) !== page).length;
}

describe('IdempotencyKeysRoomForAnswers', () => {
  it('keeps every answer on the page of its claim', async () => {
    await createIdempotencyKeysTable(database.pool);

    expect(await answersThatMoved(60)).toBe(0);
  });

  it('is what keeps them there: with pages packed full, answers move', async () => {
    const withoutIt = IDEMPOTENCY_MIGRATIONS.filter(
      (migration) => migration !== IdempotencyKeysRoomForAnswers1733700000000,
    );
    await createIdempotencyKeysTable(database.pool, withoutIt);

    expect(await answersThatMoved(60)).toBeGreaterThan(30);
  });

  it('sets the fill factor on up and resets it on down', async () => {
    await createIdempotencyKeysTable(database.pool);
    const reloptions = async () =>
      (
        await database.pool.query<{ reloptions: string[] | null }>(
          `SELECT reloptions FROM pg_class WHERE oid = 'idempotency_keys'::regclass`,
        )
      ).rows[0]!.reloptions;
    expect(await reloptions()).toEqual([`fillfactor=${CLAIM_FILL_PERCENT}`]);

    await runMigration(database.pool, new IdempotencyKeysRoomForAnswers1733700000000(), 'down');
    expect(await reloptions()).toBeNull();

    await runMigration(database.pool, new IdempotencyKeysRoomForAnswers1733700000000(), 'up');
    expect(await reloptions()).toEqual([`fillfactor=${CLAIM_FILL_PERCENT}`]);
  });
});
