import { EventStore, type RecordedEvent } from '@fulfil/event-store';
import type { Pool, PoolClient } from 'pg';
import { useMigratedDatabase, waitFor } from '../testing/messaging-test-kit';
import { ProjectionRunner, type Projection } from './projection-runner';

const database = useMigratedDatabase(10);
let pool: Pool;
let store: EventStore;

beforeAll(async () => {
  pool = database.pool;
  store = new EventStore(pool);
  await pool.query(
    `CREATE TABLE order_totals (order_id text PRIMARY KEY, lines int NOT NULL, total int NOT NULL,
                                applied int NOT NULL)`,
  );
});

/** A read model that would show a double application: `applied` counts events per order. */
const orderTotals: Projection = {
  name: 'order-totals',
  eventTypes: ['LineAdded', 'LineRemoved'],
  async apply(event: RecordedEvent, client: PoolClient) {
    const { amount } = event.data as { amount: number };
    const sign = event.type === 'LineAdded' ? 1 : -1;
    await client.query(
      `INSERT INTO order_totals (order_id, lines, total, applied) VALUES ($1, $2, $3, 1)
       ON CONFLICT (order_id) DO UPDATE SET lines = order_totals.lines + $2,
         total = order_totals.total + $3, applied = order_totals.applied + 1`,
      [event.streamId, sign, sign * amount],
    );
  },
  async reset(client: PoolClient) {
    await client.query('TRUNCATE order_totals');
  },
};

async function readModel() {
  const { rows } = await pool.query('SELECT * FROM order_totals ORDER BY order_id');
  return rows;
}

async function appendLines(order: string, amounts: number[]) {
  await store.appendToStream(
    order,
    amounts.flatMap((amount) => [
      { type: 'LineAdded', data: { amount } },
      { type: 'Ignored', data: {} },
    ]),
    { expectedVersion: 'any' },
  );
}

it('builds incrementally, keeps its checkpoint across a restart, and rebuild gives the same model', async () => {
  await appendLines('order-1', [100, 250]);
  await appendLines('order-2', [40]);
  const first = new ProjectionRunner({ pool, store, projections: [orderTotals], batchSize: 3 });
  expect(await first.catchUp()).toBe(6);
  expect(await readModel()).toEqual([
    { order_id: 'order-1', lines: 2, total: 350, applied: 2 },
    { order_id: 'order-2', lines: 1, total: 40, applied: 1 },
  ]);
  const checkpoint = await first.checkpoint('order-totals');
  expect(checkpoint).not.toBeNull();

  // A new runner (a restarted process) continues from the stored checkpoint, not from zero.
  await appendLines('order-1', [5]);
  await store.appendToStream('order-2', [{ type: 'LineRemoved', data: { amount: 40 } }], {
    expectedVersion: 'any',
  });
  const second = new ProjectionRunner({
    pool,
    store,
    projections: [orderTotals],
    pollIntervalMs: 20,
  });
  second.start();
  try {
    await waitFor(async () => (await readModel())[1]?.lines === 0, 'the polled update');
  } finally {
    await second.stop();
  }
  const incremental = await readModel();
  expect(incremental).toEqual([
    { order_id: 'order-1', lines: 3, total: 355, applied: 3 },
    { order_id: 'order-2', lines: 0, total: 0, applied: 2 },
  ]);
  expect(await second.catchUp()).toBe(0);

  await pool.query(`UPDATE order_totals SET total = -1`); // corrupt it: rebuild must fix it
  await second.rebuild('order-totals');
  expect(await readModel()).toEqual(incremental);
  expect(await second.checkpoint('order-totals')).toEqual(await first.checkpoint('order-totals'));
  expect(await second.catchUp()).toBe(0); // no event applied twice after the rebuild
  expect(await readModel()).toEqual(incremental);
});

it('applies each event once when two runners poll the same projection concurrently', async () => {
  await pool.query('TRUNCATE order_totals');
  await pool.query(`DELETE FROM projection_checkpoints`);
  for (let i = 0; i < 20; i += 1) await appendLines(`order-c${i % 4}`, [1]);
  const runners = [0, 1].map(
    () => new ProjectionRunner({ pool, store, projections: [orderTotals], batchSize: 4 }),
  );
  await Promise.all(runners.map((runner) => runner.catchUp()));
  await runners[0]!.catchUp();
  const { rows } = await pool.query<{ applied: number; lines: number }>(
    'SELECT sum(applied)::int AS applied, sum(lines)::int AS lines FROM order_totals',
  );
  const { events } = await store.readAll({ after: null, limit: 1000 });
  const added = events.filter((e) => e.type === 'LineAdded').length;
  const removed = events.filter((e) => e.type === 'LineRemoved').length;
  expect(rows[0]).toEqual({ applied: added + removed, lines: added - removed });
});
