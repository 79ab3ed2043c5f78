import { ContractViolationError, type IntegrationEvent } from '@fulfil/contracts';
import { EventStore } from '@fulfil/event-store';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { InboxConsumer } from '../inbox/inbox-consumer';
import {
  appliedCounts,
  collectTopic,
  createAppliedTable,
  header,
  kafkaClient,
  NOW,
  orderCancelled,
  useMigratedDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { enqueueIntegrationEvents } from './enqueue';
import { OutboxRelay, type OutboxMessage } from './outbox-relay';

const database = useMigratedDatabase(20);
let pool: Pool;
let store: EventStore;
let kafka: Kafka;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  pool = database.pool;
  store = new EventStore(pool);
  kafka = kafkaClient(database.infra.kafkaBrokers);
  await createAppliedTable(pool);
});
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

const context = { correlationId: 'corr-1', causationId: 'cmd-1', time: NOW };

/** Appends a domain event and enqueues its integration events in one transaction. */
function placeAndEnqueue(streamId: string, events: IntegrationEvent[], topic?: string) {
  return store.withTransaction(async (client) => {
    await store.appendToStream(streamId, [{ type: 'OrderCancelled', data: { streamId } }], {
      expectedVersion: 'any',
      client,
    });
    return enqueueIntegrationEvents(
      client,
      events.map((event) => ({ event })),
      topic ? { ...context, topic } : context,
    );
  });
}

function startRelay(options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) {
  const relay = new OutboxRelay({ pool, kafka, pollIntervalMs: 50, ...options });
  relay.start();
  stops.push(() => relay.stop());
  return relay;
}

describe('transactional outbox', () => {
  it('publishes a committed transaction with key and CloudEvents headers, and nothing of a rolled-back one', async () => {
    await expect(
      store.withTransaction(async (client) => {
        await store.appendToStream('order-rolled-back', [{ type: 'OrderCancelled', data: {} }], {
          expectedVersion: 'no_stream',
          client,
        });
        await enqueueIntegrationEvents(
          client,
          [{ event: orderCancelled('ord-rolled-back') }],
          context,
        );
        throw new Error('the command failed after enqueueing');
      }),
    ).rejects.toThrow('the command failed');
    const [enqueued] = await placeAndEnqueue('order-committed', [orderCancelled('ord-committed')]);

    const collector = await collectTopic(kafka, ['orders.events']);
    stops.push(collector.stop);
    startRelay({ name: 'atomicity' });
    const message = await waitFor(
      () => collector.messages.find((m) => String(m.key) === 'ord-committed'),
      'the committed event on orders.events',
    );

    expect(header(message, 'ce_id')).toBe(enqueued!.messageId);
    expect(header(message, 'ce_type')).toBe('fulfil.orders.OrderCancelled.v1');
    expect(header(message, 'ce_source')).toBe('/fulfil/orders');
    expect(header(message, 'ce_subject')).toBe('ord-committed');
    expect(header(message, 'ce_correlationid')).toBe('corr-1');
    expect(header(message, 'ce_causationid')).toBe('cmd-1');
    expect(JSON.parse(String(message.value))).toMatchObject({ orderId: 'ord-committed' });
    // The rolled-back transaction left neither domain events nor outbox rows behind.
    expect(collector.messages.map((m) => String(m.key))).not.toContain('ord-rolled-back');
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM events WHERE stream_id = 'order-rolled-back')::int AS events,
              (SELECT count(*) FROM outbox WHERE key = 'ord-rolled-back')::int AS outbox`,
    );
    expect(rows[0]).toEqual({ events: 0, outbox: 0 });
  });

  it('publishes a commit of this process at once, without waiting for the next poll', async () => {
    await placeAndEnqueue('order-before-wake', [orderCancelled('ord-before-wake')]);
    const collector = await collectTopic(kafka, ['orders.events']);
    stops.push(collector.stop);
    // Idle polls an hour apart: past its first poll, only the commit's wake-up can publish.
    startRelay({ name: 'wake-up', pollIntervalMs: 50, idlePollIntervalMs: 3_600_000 });
    const byKey = (key: string) => () => collector.messages.find((m) => String(m.key) === key);
    await waitFor(byKey('ord-before-wake'), 'the first poll to publish the backlog');

    await placeAndEnqueue('order-woken', [orderCancelled('ord-woken')]);

    await waitFor(byKey('ord-woken'), 'the committed event on orders.events');
  });

  it('refuses an event that fails its schema with a typed error, storing nothing', async () => {
    const bad = orderCancelled('');
    const before = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    const attempt = store.withTransaction(async (client) => {
      await store.appendToStream('order-bad', [{ type: 'OrderCancelled', data: {} }], {
        expectedVersion: 'no_stream',
        client,
      });
      await enqueueIntegrationEvents(
        client,
        [{ event: orderCancelled('ord-valid') }, { event: bad }],
        context,
      );
    });
    await expect(attempt).rejects.toBeInstanceOf(ContractViolationError);
    await expect(attempt).rejects.toMatchObject({
      code: 'CONTRACT.SCHEMA_VIOLATION',
      issues: [expect.objectContaining({ path: 'orderId' })],
    });
    const after = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    expect(await store.readStream('order-bad')).toEqual([]);
  });

  it('survives a relay crash between send and checkpoint: every event arrives, the inbox absorbs the re-sends', async () => {
    const topic = 'crash.events';
    const ids: string[] = [];
    for (let tx = 0; tx < 6; tx += 1) {
      const events = Array.from({ length: 5 }, (_, i) => orderCancelled(`ord-crash-${i}`));
      const enqueued = await placeAndEnqueue(`order-crash-${tx}`, events, topic);
      ids.push(...enqueued.map((e) => e.messageId));
    }
    const registry = new Registry();
    let crashed: OutboxMessage[] | undefined;
    let sentBatches = 0;
    const first = startRelay({
      name: 'crash',
      batchSize: 10,
      registry,
      afterSend: (batch) => {
        sentBatches += 1;
        if (sentBatches === 2) {
          // The broker acknowledged the second batch; its checkpoint has not moved.
          crashed = [...batch];
          throw new Error('simulated crash after send');
        }
      },
    });
    await waitFor(() => crashed, 'the simulated crash');
    await first.stop();
    const checkpoint = await pool.query(
      `SELECT position::text FROM outbox_relay_checkpoints WHERE relay = 'crash'`,
    );
    // The crashed batch was not checkpointed: the stored position is before its first row.
    expect(BigInt(checkpoint.rows[0].position)).toBeLessThan(BigInt(crashed![0]!.position));

    const consumer = new InboxConsumer({
      pool,
      kafka,
      groupId: 'crash-test',
      topics: [topic],
      handlers: new Map([
        [
          'fulfil.orders.OrderCancelled.v1',
          async (_event, envelope, client) => {
            await client.query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
              envelope.id,
              envelope.subject,
            ]);
          },
        ],
      ]),
    });
    await consumer.start();
    stops.push(() => consumer.stop());
    const collector = await collectTopic(kafka, [topic]);
    stops.push(collector.stop);
    const second = startRelay({ name: 'crash', batchSize: 10, registry });

    await waitFor(async () => {
      const counts = await appliedCounts(pool);
      return ids.every((id) => counts.has(id));
    }, 'every event applied');
    await waitFor(
      () => collector.messages.length >= ids.length + crashed!.length,
      'the re-sent batch',
    );
    const counts = await appliedCounts(pool);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    // The crashed batch really reached Kafka twice; the inbox turned the copies into no-ops.
    const copies = collector.messages.filter((m) => header(m, 'ce_id') === crashed![0]!.messageId);
    expect(copies).toHaveLength(2);
    expect(second.isActive).toBe(true);
    await waitFor(async () => {
      const text = await registry.getSingleMetricAsString('outbox_backlog');
      return /outbox_backlog\{relay="crash"\} 0$/m.test(text);
    }, 'outbox_backlog 0');
  });

  it('keeps a single active relay per database: a standby takes over when the active one stops', async () => {
    const active = startRelay({ name: 'single' });
    await waitFor(() => active.isActive, 'the first relay to take the lock');
    const standby = startRelay({ name: 'single' });
    await placeAndEnqueue('order-single', [orderCancelled('ord-single')], 'single.events');
    const collector = await collectTopic(kafka, ['single.events']);
    stops.push(collector.stop);
    await waitFor(() => collector.messages.length === 1, 'publication by the active relay');
    expect(standby.isActive).toBe(false);
    await active.stop();
    await waitFor(() => standby.isActive, 'the standby to take over');
    await placeAndEnqueue('order-single', [orderCancelled('ord-single-2')], 'single.events');
    await waitFor(() => collector.messages.length === 2, 'publication by the new active relay');
    expect(collector.messages.map((m) => String(m.key))).toEqual(['ord-single', 'ord-single-2']);
  });

  it('reports the backlog and the oldest unpublished age, and deletes published rows past retention', async () => {
    const registry = new Registry();
    const relay = new OutboxRelay({
      pool,
      kafka,
      name: 'metrics',
      registry,
      retentionMs: 1,
      cleanupIntervalMs: 0,
    });
    const backlogBefore = await registry.getMetricsAsJSON();
    const backlog = backlogBefore.find((m) => m.name === 'outbox_backlog')!.values[0]!.value;
    expect(backlog).toBe(Number((await pool.query('SELECT count(*) FROM outbox')).rows[0].count));
    expect(backlog).toBeGreaterThan(0);
    relay.start();
    stops.push(() => relay.stop());
    await waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      return rows[0]!.n === 0;
    }, 'published rows to be deleted');
    const after = await registry.getMetricsAsJSON();
    expect(after.find((m) => m.name === 'outbox_backlog')!.values[0]!.value).toBe(0);
    expect(after.find((m) => m.name === 'outbox_oldest_age_seconds')!.values[0]!.value).toBe(0);
  });
});
