import { runMigration } from '@fulfil/testing';
import { OutboxRelayOrderKey1733500000000 } from './outbox-relay-order-key.migration';
import { useMigratedDatabase } from './testing/messaging-test-kit';

const database = useMigratedDatabase(1);

async function outboxIndexes(): Promise<string[]> {
  const { rows } = await database.pool.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'outbox' ORDER BY indexname`,
  );
  return rows.map((row) => `${row.indexname} ${row.indexdef.replace(/^.* USING btree /, '')}`);
}

async function outboxKeys(): Promise<string[]> {
  const { rows } = await database.pool.query<{ key: string }>(
    'SELECT key FROM outbox ORDER BY transaction_id, position',
  );
  return rows.map((row) => row.key);
}

it('keys the outbox by the order the relay reads it in, with no other index to maintain', async () => {
  expect(await outboxIndexes()).toEqual(['outbox_pkey (transaction_id, "position")']);
});

it('migrates down to the three indexes and up again, keeping the messages and their order', async () => {
  await database.pool.query(
    `INSERT INTO outbox (message_id, topic, key, headers, value)
     SELECT gen_random_uuid(), 'orders.events', 'order-' || g, '{}', '\\x7b7d'
       FROM generate_series(1, 3) g`,
  );
  const migration = new OutboxRelayOrderKey1733500000000();

  await runMigration(database.pool, migration, 'down');
  expect(await outboxIndexes()).toEqual([
    'outbox_message_id_key (message_id)',
    'outbox_pkey ("position")',
    'outbox_relay_idx (transaction_id, "position")',
  ]);
  await runMigration(database.pool, migration, 'up');

  expect(await outboxIndexes()).toEqual(['outbox_pkey (transaction_id, "position")']);
  expect(await outboxKeys()).toEqual(['order-1', 'order-2', 'order-3']);
});
