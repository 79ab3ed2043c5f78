// What a PostgreSQL crash does to idempotency keys, on a durable server of this file's own (the
// shared test server runs without fsync, where no flush is counted). The claim commits without
// waiting for its WAL flush; the stored answer waits.
import { randomUUID } from 'node:crypto';
import {
  slowWalWriter,
  startDurablePostgres,
  untilACrashTakesBack,
  walFlushesOf,
  type DurablePostgres,
} from '@fulfil/testing';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createIdempotencyKeysTable } from '../testing/idempotency-keys-table.fixture';
import {
  answerStatement,
  IdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyScope,
} from './idempotency.store';

jest.setTimeout(120_000);

let server: DurablePostgres;
/** One connection: the backend whose flushes are counted is the one that committed. */
let pool: Pool;
/** What the store reads of TypeORM's DataSource: the pool of its driver (replaced on restart). */
const dataSource = { driver: { master: undefined as Pool | undefined } };
const store = new IdempotencyStore(dataSource as unknown as DataSource);

function connect(): void {
  pool = new Pool({ connectionString: server.url, max: 1 });
  dataSource.driver.master = pool;
}

beforeAll(async () => {
  server = await startDurablePostgres();
  connect();
  await createIdempotencyKeysTable(pool);
  // A request's own effects, committed durably after its claim (an order, say).
  await pool.query('CREATE TABLE effects (id uuid PRIMARY KEY)');
  await slowWalWriter(pool);
});
afterAll(async () => {
  await store.onApplicationShutdown();
  await pool?.end();
  await server?.stop();
});

const scopeOf = (key: string): IdempotencyScope => ({
  caller: 'storefront',
  method: 'POST',
  route: '/orders',
  key,
});
const claim = (key: string) => store.claim(scopeOf(key), 'fingerprint', 30_000, 86_400_000);
const ANSWER = { status: 201, headers: { 'content-type': 'application/json' }, body: '{}' };

it('claims a key without waiting for a WAL flush, and stores its answer durably', async () => {
  let claimed: Awaited<ReturnType<typeof claim>>;
  expect(await walFlushesOf(async () => (claimed = await claim(randomUUID())), pool)).toBe(0);
  expect(claimed).toBeDefined();
  expect(await walFlushesOf(() => store.complete(claimed!, ANSWER), pool)).toBe(1);
});

/** The request's effect and its answer in one durable transaction (`idempotentAnswerWrite`). */
async function effectWithAnswer(claimed: IdempotencyClaim): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO effects (id) VALUES ($1)', [randomUUID()]);
    const answer = answerStatement(claimed, ANSWER);
    await client.query(answer.text, [...answer.values]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

it('keeps, through a crash, a claim that a durable commit followed and an answer committed with its effects, and loses a claim that nothing followed', async () => {
  await untilACrashTakesBack(async () => {
    const followed = randomUUID();
    const alone = randomUUID();
    const answered = randomUUID();
    expect(await claim(followed)).toBeDefined();
    await pool.query('INSERT INTO effects (id) VALUES ($1)', [randomUUID()]); // durable
    const answeredClaim = await claim(answered);
    // One flush for the claim, the effect and the answer together.
    expect(await walFlushesOf(() => effectWithAnswer(answeredClaim!), pool)).toBe(1);
    expect(await claim(alone)).toBeDefined();
    expect(await store.find(scopeOf(alone))).toMatchObject({ state: 'processing' }); // visible

    // Immediate shutdown: no checkpoint, no WAL written that was not written already.
    await pool.end();
    await server.crash();
    await server.restart();
    connect();

    expect(await store.find(scopeOf(followed))).toMatchObject({ state: 'processing' });
    expect(await store.find(scopeOf(answered))).toEqual({
      state: 'completed',
      fingerprint: 'fingerprint',
      response: ANSWER,
    });
    // Lost with everything the request did (nothing, here): a retry claims the key afresh.
    if ((await store.find(scopeOf(alone))) !== undefined) return false;
    expect(await claim(alone)).toBeDefined();
    return true;
  });
});
