import { randomUUID } from 'node:crypto';
import { useMigratedDatabase } from './testing/messaging-test-kit';

const database = useMigratedDatabase(1);

/** The columns of `table` that ANALYZE left statistics for. */
async function analysedColumns(table: string): Promise<string[]> {
  const { rows } = await database.pool.query<{ attname: string }>(
    `SELECT attname FROM pg_stats WHERE schemaname = 'public' AND tablename = $1 ORDER BY attname`,
    [table],
  );
  return rows.map((row) => row.attname);
}

it('analyses the columns queries use and skips the payloads of events and outbox messages', async () => {
  await database.pool.query(
    `INSERT INTO events (stream_id, stream_version, event_id, event_type, data, metadata)
     SELECT 'order-' || g, 1, gen_random_uuid(), 'OrderPlaced',
            jsonb_build_object('orderId', g, 'lines', jsonb_build_array(g, g + 1)),
            jsonb_build_object('correlationId', gen_random_uuid())
       FROM generate_series(1, 200) g`,
  );
  await database.pool.query(
    `INSERT INTO outbox (message_id, topic, key, headers, value)
     SELECT gen_random_uuid(), 'orders.events', 'order-' || g,
            jsonb_build_object('ce_id', $1::text || g), convert_to('{"n":' || g || '}', 'UTF8')
       FROM generate_series(1, 200) g`,
    [randomUUID()],
  );
  await database.pool.query('ANALYZE events, outbox');

  const events = await analysedColumns('events');
  expect(events).toEqual(expect.arrayContaining(['stream_id', 'event_type', 'transaction_id']));
  expect(events).not.toContain('data');
  expect(events).not.toContain('metadata');
  const outbox = await analysedColumns('outbox');
  expect(outbox).toEqual(expect.arrayContaining(['topic', 'key', 'message_id']));
  expect(outbox).not.toContain('headers');
  expect(outbox).not.toContain('value');
});
