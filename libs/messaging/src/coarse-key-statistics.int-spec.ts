import { runMigration } from '@fulfil/testing';
import { CoarseKeyStatistics1733600000000 } from './coarse-key-statistics.migration';
import { useMigratedDatabase } from './testing/messaging-test-kit';

const database = useMigratedDatabase(1);

/** Each column of `table` with its statistics target: null for the server's default. */
async function statisticsTargets(table: string): Promise<Record<string, number | null>> {
  const { rows } = await database.pool.query<{ attname: string; target: number | null }>(
    `SELECT attname, nullif(attstattarget, -1) AS target FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.attname, row.target]));
}

it('leaves no column of events, outbox or inbox at the default target: payloads 0, the rest 10', async () => {
  const payloads: Record<string, string[]> = {
    events: ['data', 'metadata'],
    outbox: ['headers', 'value'],
    inbox: [],
  };
  for (const [table, payload] of Object.entries(payloads)) {
    const targets = await statisticsTargets(table);
    for (const [column, target] of Object.entries(targets)) {
      expect({ table, column, target }).toEqual({
        table,
        column,
        target: payload.includes(column) ? 0 : 10,
      });
    }
  }
});

it('still gives the planner statistics of the keys, ten values deep', async () => {
  await database.pool.query(
    `INSERT INTO events (stream_id, stream_version, event_id, event_type, data)
     SELECT 'order-' || (g / 4), (g % 4) + 1, gen_random_uuid(), 'Type' || (g % 30), '{}'
       FROM generate_series(0, 3999) g`,
  );
  await database.pool.query('ANALYZE events');
  const { rows } = await database.pool.query<{
    n_distinct: number;
    common: number;
    buckets: number;
  }>(
    `SELECT n_distinct, coalesce(array_length(most_common_vals::text::text[], 1), 0) AS common,
            coalesce(array_length(histogram_bounds::text::text[], 1), 0) AS buckets
       FROM pg_stats WHERE tablename = 'events' AND attname = 'stream_id'`,
  );
  // 1 000 streams of 4 events: a quarter as many values as rows, estimated from the sample.
  expect(rows[0]!.n_distinct).toBeLessThan(0);
  expect(rows[0]!.common).toBeLessThanOrEqual(10);
  expect(rows[0]!.buckets).toBeGreaterThan(0);
  expect(rows[0]!.buckets).toBeLessThanOrEqual(11);
});

it('goes back to the default targets on the way down', async () => {
  const migration = new CoarseKeyStatistics1733600000000();
  await runMigration(database.pool, migration, 'down');
  try {
    expect((await statisticsTargets('events')).stream_id).toBeNull();
    expect((await statisticsTargets('events')).data).toBe(0);
  } finally {
    await runMigration(database.pool, migration, 'up');
  }
});
