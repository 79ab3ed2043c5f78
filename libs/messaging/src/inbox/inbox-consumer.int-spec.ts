import { runWrites } from '@fulfil/event-store';
import { PreparedStatementClient } from '@fulfil/service-kit';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import {
  appliedCounts,
  collectTopic,
  createAppliedTable,
  header,
  kafkaClient,
  kafkaMessageOf,
  migrate,
  orderCancelled,
  orderPaid,
  waitFor,
} from '../testing/messaging-test-kit';
import { DeadLetterHeaders, redriveMessage } from './dead-letter';
import { InboxConsumer } from './inbox-consumer';
import { InboxContext, KafkaInboxTransport, type InboxPayload } from './kafka-inbox.transport';

let infra: TestInfrastructure;
let pool: Pool;
let kafka: Kafka;
let producer: Producer;
let consumer: InboxConsumer;
const registry = new Registry();
/** How many more times the handler throws for an order id (Infinity: always). */
const failuresLeft = new Map<string, number>();
/** How many more times the handler leaves a failing write for the next statement, by order id. */
const heldFailuresLeft = new Map<string, number>();
const attempts = new Map<string, number>();
const warnings: string[] = [];
const TOPICS = [
  'dup.events',
  'spread.events',
  'poison.events',
  'flaky.events',
  'batch.events',
  'nest.events',
  'locked.events',
];

beforeAll(async () => {
  infra = await startTestInfrastructure();
  await migrate(infra.postgresUrl);
  // The services' client: BEGIN and COMMIT go out with the transaction's first and last statements.
  pool = new Pool({
    connectionString: infra.postgresUrl,
    max: 10,
    Client: PreparedStatementClient,
  });
  await createAppliedTable(pool);
  await pool.query('CREATE TABLE applied_in (event_id text NOT NULL, tx bigint NOT NULL)');
  kafka = kafkaClient(infra.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [...TOPICS, ...TOPICS.map((t) => `${t}.dlq`)].map((topic) => ({
      topic,
      numPartitions: 3,
    })),
  });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  consumer = new InboxConsumer({
    pool,
    kafka,
    groupId: 'inbox-test',
    topics: TOPICS.filter((t) => t !== 'nest.events' && t !== 'locked.events'),
    maxAttempts: 4,
    backoff: { initialMs: 10, maxMs: 50 },
    registry,
    logger: { warn: (message) => warnings.push(message), error: () => undefined },
    // Stands for an event that changes nothing whatever the state, told from its data.
    skip: (event) => (event.data as { orderId: string }).orderId.startsWith('ord-irrelevant'),
    handlers: new Map([
      [
        'fulfil.orders.OrderCancelled',
        async (event, envelope, client, source) => {
          const orderId = (event.data as { orderId: string }).orderId;
          attempts.set(orderId, (attempts.get(orderId) ?? 0) + 1);
          // Written first, so a failure below proves the rollback too.
          await client.query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
            envelope.id,
            orderId,
          ]);
          if (source.topic === 'batch.events') {
            await client.query('INSERT INTO applied_in VALUES ($1, txid_current())', [envelope.id]);
          }
          const left = failuresLeft.get(orderId) ?? 0;
          if (left > 0) {
            failuresLeft.set(orderId, left - 1);
            throw new Error(`handler failed for ${orderId}`);
          }
          const heldLeft = heldFailuresLeft.get(orderId) ?? 0;
          if (heldLeft > 0) {
            heldFailuresLeft.set(orderId, heldLeft - 1);
            // Held for the transaction's next statement (the next handler's, or the inbox row's).
            await runWrites(client, [{ text: 'SELECT 1 / $1::int', values: [0] }]);
          }
        },
      ],
    ]),
  });
  await consumer.start();
});
afterAll(async () => {
  await consumer?.stop();
  await producer?.disconnect();
  await pool?.end();
  await infra?.stop();
});

async function appliedOnce(ids: string[]) {
  await waitFor(
    async () => {
      const counts = await appliedCounts(pool);
      return ids.every((id) => counts.has(id));
    },
    `events ${ids.join(', ')} applied`,
  );
  const counts = await appliedCounts(pool);
  return ids.map((id) => counts.get(id));
}

async function metric(name: string): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return found?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

describe('InboxConsumer', () => {
  it('applies an event delivered twice once', async () => {
    const { id, message } = kafkaMessageOf(orderCancelled('ord-dup'));
    const before = await metric('inbox_duplicates_total');
    await producer.send({ topic: 'dup.events', messages: [message] });
    await producer.send({ topic: 'dup.events', messages: [message] });
    await waitFor(async () => (await metric('inbox_duplicates_total')) > before, 'the duplicate');
    expect(await appliedOnce([id])).toEqual([1]);
  });

  it('counts handled events as processed and events it has no handler for as ignored', async () => {
    const handled = kafkaMessageOf(orderCancelled('ord-counted'));
    const unhandled = [1, 2].map((n) => kafkaMessageOf(orderPaid(`ord-counted-${n}`)));
    const processed = await metric('inbox_processed_total');
    const ignored = await metric('inbox_ignored_total');
    await producer.send({
      topic: 'spread.events',
      messages: [unhandled[0]!, handled, unhandled[1]!].map((m) => ({
        ...m.message,
        partition: 1,
      })),
    });
    await appliedOnce([handled.id]);
    await waitFor(async () => (await metric('inbox_ignored_total')) >= ignored + 2, 'both ignored');
    expect(await metric('inbox_processed_total')).toBe(processed + 1);
    expect(await metric('inbox_ignored_total')).toBe(ignored + 2);
  });

  it('skips the events `skip` calls irrelevant like events without a handler: no handler run, no inbox row', async () => {
    const irrelevant = kafkaMessageOf(orderCancelled('ord-irrelevant-1'));
    const handled = kafkaMessageOf(orderCancelled('ord-relevant-1'));
    const processed = await metric('inbox_processed_total');
    const ignored = await metric('inbox_ignored_total');
    await producer.send({
      topic: 'spread.events',
      messages: [irrelevant, handled].map((m) => ({ ...m.message, partition: 2 })),
    });
    await appliedOnce([handled.id]);

    expect(attempts.has('ord-irrelevant-1')).toBe(false);
    const { rows } = await pool.query('SELECT event_id FROM inbox WHERE event_id = ANY($1)', [
      [irrelevant.id, handled.id],
    ]);
    expect(rows).toEqual([{ event_id: handled.id }]);
    expect(await metric('inbox_ignored_total')).toBe(ignored + 1);
    expect(await metric('inbox_processed_total')).toBe(processed + 1);
  });

  it('applies events arriving out of order across partitions once each', async () => {
    const sent = [2, 1, 0, 2, 1, 0].map((partition, i) => ({
      partition,
      ...kafkaMessageOf(orderCancelled(`ord-spread-${i}`)),
    }));
    for (const { partition, message } of [...sent].reverse()) {
      await producer.send({ topic: 'spread.events', messages: [{ ...message, partition }] });
    }
    expect(await appliedOnce(sent.map((s) => s.id))).toEqual(sent.map(() => 1));
  });

  it('dead-letters a poison event at once with its reason and source, and goes on with the partition', async () => {
    const dlq = await collectTopic(kafka, ['poison.events.dlq']);
    const good1 = kafkaMessageOf(orderCancelled('ord-poison-before'));
    const poison = kafkaMessageOf(orderCancelled('ord-poison'));
    const badData = { ...JSON.parse(String(poison.message.value)), reason: 'bogus' };
    const good2 = kafkaMessageOf(orderCancelled('ord-poison-after'));
    // Just as broken, but of a type this consumer does not handle: not its to judge, skipped
    // unparsed (it would be the DLQ's first message otherwise).
    const unhandled = kafkaMessageOf(orderCancelled('ord-poison-unhandled'));
    const [written] = await producer.send({
      topic: 'poison.events',
      messages: [
        { ...good1.message, partition: 1 },
        {
          ...unhandled.message,
          headers: { ...unhandled.message.headers, ce_type: 'fulfil.orders.OrderConfirmed.v1' },
          value: Buffer.from(JSON.stringify(badData)),
          partition: 1,
        },
        { ...poison.message, value: Buffer.from(JSON.stringify(badData)), partition: 1 },
        { ...good2.message, partition: 1 },
      ],
    });
    expect(await appliedOnce([good1.id, good2.id])).toEqual([1, 1]);
    const dead = await waitFor(() => dlq.messages[0], 'the DLQ message');
    await dlq.stop();
    expect(attempts.get('ord-poison')).toBeUndefined(); // no handler run, no retries
    expect(header(dead, DeadLetterHeaders.reason)).toBe('poison');
    expect(header(dead, DeadLetterHeaders.errorCode)).toBe('CONTRACT.SCHEMA_VIOLATION');
    expect(header(dead, DeadLetterHeaders.error)).toContain('reason');
    expect(header(dead, DeadLetterHeaders.sourceTopic)).toBe('poison.events');
    expect(header(dead, DeadLetterHeaders.sourcePartition)).toBe('1');
    expect(header(dead, DeadLetterHeaders.sourceOffset)).toBe(
      String(BigInt(written!.baseOffset!) + 2n),
    );
    expect(header(dead, DeadLetterHeaders.consumerGroup)).toBe('inbox-test');
    expect(header(dead, DeadLetterHeaders.attempts)).toBe('0');
    expect(header(dead, 'ce_id')).toBe(poison.id); // original headers kept
    expect(JSON.parse(String(dead.value))).toEqual(badData);
    expect(String(dead.key)).toBe('ord-poison');
    const redrive = redriveMessage(dead);
    expect(redrive.topic).toBe('poison.events');
    expect(Object.keys(redrive.message.headers).filter((h) => h.startsWith('dlq_'))).toEqual([]);
  });

  it('retries a failing handler and applies the event once when it recovers', async () => {
    failuresLeft.set('ord-flaky', 2);
    const flaky = kafkaMessageOf(orderCancelled('ord-flaky'));
    await producer.send({ topic: 'flaky.events', messages: [{ ...flaky.message, partition: 0 }] });
    expect(await appliedOnce([flaky.id])).toEqual([1]);
    expect(attempts.get('ord-flaky')).toBe(3);
  });

  it('dead-letters an event whose handler always fails, after the bounded retries, and goes on', async () => {
    const dlq = await collectTopic(kafka, ['flaky.events.dlq']);
    failuresLeft.set('ord-broken', Infinity);
    const broken = kafkaMessageOf(orderCancelled('ord-broken'));
    const next = kafkaMessageOf(orderCancelled('ord-after-broken'));
    await producer.send({
      topic: 'flaky.events',
      messages: [
        { ...broken.message, partition: 2 },
        { ...next.message, partition: 2 },
      ],
    });
    expect(await appliedOnce([next.id])).toEqual([1]);
    const dead = await waitFor(() => dlq.messages[0], 'the DLQ message');
    await dlq.stop();
    expect(attempts.get('ord-broken')).toBe(4);
    expect((await appliedCounts(pool)).get(broken.id)).toBeUndefined(); // every attempt rolled back
    expect(header(dead, DeadLetterHeaders.reason)).toBe('handler-failed');
    expect(header(dead, DeadLetterHeaders.error)).toBe('handler failed for ord-broken');
    expect(header(dead, DeadLetterHeaders.attempts)).toBe('4');
    expect(header(dead, DeadLetterHeaders.sourcePartition)).toBe('2');
    expect(header(dead, 'ce_id')).toBe(broken.id);
    expect(await metric('inbox_dead_lettered_total')).toBeGreaterThanOrEqual(2);
  });
});

@Controller()
class OrdersListener {
  @EventPattern('fulfil.orders.OrderCancelled.v1')
  async onCancelled(@Payload() payload: InboxPayload, @Ctx() context: InboxContext) {
    await context
      .getClient()
      .query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
        payload.envelope.id,
        payload.envelope.subject,
      ]);
  }
}

@Module({ controllers: [OrdersListener] })
class ListenerModule {}

describe('InboxConsumer with several events waiting in a partition', () => {
  /** Sends `count` events (then `extra`) to partition 0 in one request: one fetched batch. */
  async function sendWaiting(
    prefix: string,
    count: number,
    extra: ReturnType<typeof kafkaMessageOf>[] = [],
  ) {
    const sent = Array.from({ length: count }, (_, i) =>
      kafkaMessageOf(orderCancelled(`${prefix}-${i}`)),
    );
    const messages = [...sent, ...extra].map((s) => ({ ...s.message, partition: 0 }));
    await producer.send({ topic: 'batch.events', messages });
    return sent.map((s) => s.id);
  }

  async function transactionSizes(ids: string[]): Promise<number[]> {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM applied_in WHERE event_id = ANY($1)
        GROUP BY tx ORDER BY min(event_id)`,
      [ids],
    );
    return rows.map((row) => row.n);
  }

  it('handles them several to a transaction (at most 20), each once', async () => {
    const ids = await sendWaiting('ord-batch', 45);
    expect(await appliedOnce(ids)).toEqual(ids.map(() => 1));
    const sizes = await transactionSizes(ids);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(45);
    // One fetched batch: groups of 20, the default (each event alone would make 45).
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
    expect(Math.max(...sizes)).toBeGreaterThan(10);
  });

  it('handles them one by one when one fails: the failure retried, every event applied once', async () => {
    failuresLeft.set('ord-batch-fail-4', 1);
    const ids = await sendWaiting('ord-batch-fail', 8);
    expect(await appliedOnce(ids)).toEqual(ids.map(() => 1));
    expect(attempts.get('ord-batch-fail-4')).toBeGreaterThanOrEqual(2);
  });

  it('meets a write one handler left for the next statement there, but charges the next event with nothing', async () => {
    heldFailuresLeft.set('ord-batch-held-2', 1);
    warnings.length = 0;
    const ids = await sendWaiting('ord-batch-held', 6);
    expect(await appliedOnce(ids)).toEqual(ids.map(() => 1));
    // The batch failed on the next handler's first statement, which carried the write: no
    // handler's own failure, so each event ran once more alone, none with an attempt lost.
    expect(warnings).toEqual([
      expect.stringMatching(/6 events rolled back together.*division by zero/),
    ]);
    expect(attempts.get('ord-batch-held-3')).toBe(2);
  });

  it('absorbs an already-handled event among them and applies the others once', async () => {
    const { id, message } = kafkaMessageOf(orderCancelled('ord-batch-again'));
    await producer.send({
      topic: 'batch.events',
      messages: [{ ...message, partition: 0 }],
    });
    await appliedOnce([id]);
    const before = await metric('inbox_duplicates_total');
    const ids = await sendWaiting('ord-batch-dup', 6, [{ id, message }]);
    expect(await appliedOnce([...ids, id])).toEqual([...ids, id].map(() => 1));
    await waitFor(async () => (await metric('inbox_duplicates_total')) > before, 'the duplicate');
  });
});

describe('InboxConsumer with lockKeys (handlers that take advisory locks)', () => {
  let locking: InboxConsumer;
  /** The locks an event's handler takes: its own and a shared one; none known for "alone". */
  const keysOf = (orderId: string) =>
    orderId.includes('alone') ? undefined : [`lock:${orderId}`, 'lock:shared'];

  beforeAll(async () => {
    await pool.query(
      'CREATE TABLE locked_in (event_id text NOT NULL, tx bigint NOT NULL, locks int NOT NULL)',
    );
    locking = new InboxConsumer({
      pool,
      kafka,
      groupId: 'inbox-locks-test',
      topics: ['locked.events'],
      lockKeys: (event) => keysOf((event.data as { orderId: string }).orderId),
      handlers: new Map([
        [
          'fulfil.orders.OrderCancelled',
          async (_event, envelope, client) => {
            // The advisory locks this transaction holds when the handler starts.
            await client.query(
              `INSERT INTO locked_in
               SELECT $1, txid_current(), count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid()`,
              [envelope.id],
            );
          },
        ],
      ]),
    });
    await locking.start();
  });
  afterAll(() => locking?.stop());

  /** Per transaction, in partition order: how many events, and the locks held at the start. */
  async function transactions(ids: string[]) {
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT 1 FROM locked_in WHERE event_id = ANY($1)', [ids]);
      return rows.length === ids.length || undefined;
    }, 'all handled');
    const { rows } = await pool.query<{ events: number; locks: number }>(
      `SELECT count(*)::int AS events, min(locks) AS locks FROM locked_in
        WHERE event_id = ANY($1) GROUP BY tx ORDER BY min(array_position($1, event_id))`,
      [ids],
    );
    return rows;
  }

  it("takes a group's locks together before its first handler; an event with unknown locks runs alone; an event without handler does not split a group", async () => {
    const orderIds = ['a', 'b', 'alone', 'c', 'd', 'e'].map((n) => `ord-locked-${n}`);
    const sent = orderIds.map((orderId) => kafkaMessageOf(orderCancelled(orderId)));
    const unhandled = kafkaMessageOf(orderPaid('ord-locked-d'));
    const messages = [...sent.slice(0, 5), unhandled, sent[5]!].map((m) => m.message);
    await producer.send({
      topic: 'locked.events',
      messages: messages.map((message) => ({ ...message, partition: 0 })),
    });

    expect(await transactions(sent.map((s) => s.id))).toEqual([
      { events: 2, locks: 3 }, // a, b: lock:a, lock:b, lock:shared
      { events: 1, locks: 0 }, // alone: its handler takes its own locks
      { events: 3, locks: 4 }, // c, d, (OrderPaid skipped), e
    ]);
  });
});

describe('KafkaInboxTransport (Nest)', () => {
  it('routes @EventPattern(ce_type) handlers through the inbox: a redelivery changes nothing', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ListenerModule] }).compile();
    const app = moduleRef.createNestMicroservice({
      strategy: new KafkaInboxTransport({
        pool,
        kafka,
        groupId: 'nest-test',
        topics: ['nest.events'],
      }),
      logger: false,
    });
    await app.listen();
    try {
      const { id, message } = kafkaMessageOf(orderCancelled('ord-nest'));
      const sentinel = kafkaMessageOf(orderCancelled('ord-nest-sentinel'));
      await producer.send({
        topic: 'nest.events',
        messages: [message, message, sentinel.message].map((m) => ({ ...m, partition: 0 })),
      });
      // The sentinel comes after both copies on the partition: once it is applied, so are they.
      expect(await appliedOnce([sentinel.id, id])).toEqual([1, 1]);
      const inbox = await pool.query(
        `SELECT count(*)::int AS n FROM inbox WHERE consumer_group = 'nest-test' AND event_id = $1`,
        [id],
      );
      expect(inbox.rows[0].n).toBe(1);
    } finally {
      await app.close();
    }
  });
});
