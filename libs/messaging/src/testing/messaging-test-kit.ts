// Helpers for this library's integration tests (not exported from the index).
import { randomUUID } from 'node:crypto';
import { toKafkaMessage, type IntegrationEvent } from '@fulfil/contracts';
import { useTestDatabase, type TestDatabase } from '@fulfil/testing';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { EVENT_SOURCING_MIGRATIONS } from '../nest/event-sourcing.migrations';

/**
 * For a test file: the test infrastructure with its database migrated (`migrate`) and a pool
 * of `max` connections on it, set up before its tests and closed after them.
 */
export function useMigratedDatabase(max: number): TestDatabase {
  return useTestDatabase({ max, prepare: migrate });
}

/**
 * A migrated database for a deadline test file: `tableSql` creates the table its handlers
 * write; deadlines and that table are emptied before each test.
 */
export function useDeadlinesDatabase(table: string, tableSql: string): { readonly pool: Pool } {
  const database = useMigratedDatabase(10);
  beforeAll(() => database.pool.query(tableSql));
  beforeEach(() => database.pool.query(`TRUNCATE deadlines, ${table}`));
  return database;
}

/**
 * For an inbox test file: a migrated database with the `applied` read model, a Kafka client
 * and `topic` with one partition, set up before its tests and closed after them.
 */
export function useInboxTestbed(topic: string): TestDatabase & { readonly kafka: Kafka } {
  const database = useMigratedDatabase(5);
  let kafka: Kafka;
  beforeAll(async () => {
    await createAppliedTable(database.pool);
    kafka = kafkaClient(database.infra.kafkaBrokers);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    } finally {
      await admin.disconnect();
    }
  });
  return {
    get infra() {
      return database.infra;
    },
    get pool() {
      return database.pool;
    },
    get kafka() {
      return kafka;
    },
  };
}

/** A moment ago: a deadline due at once. */
export const past = (): Date => new Date(Date.now() - 1_000);

/** The deadlines still stored, with their attempts and last error. */
export async function remainingDeadlines(pool: Pool) {
  const { rows } = await pool.query<{
    deadline_id: string;
    attempts: number;
    last_error: string | null;
  }>('SELECT deadline_id, attempts, last_error FROM deadlines ORDER BY 1');
  return rows;
}

/** A handler's call that answers only when released, to look at the database while it is in flight. */
export function pendingCall() {
  let release!: (answer: string) => void;
  let started!: () => void;
  const inFlight = new Promise<void>((done) => (started = done));
  const answer = new Promise<string>((done) => (release = done));
  return { inFlight, started: () => started(), answer, release: (a: string) => release(a) };
}

/** Runs the event store's and this library's migrations through TypeORM, as a service does. */
export async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: [...EVENT_SOURCING_MIGRATIONS],
    migrationsTransactionMode: 'each',
  });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}

export function kafkaClient(brokers: string[], retries = 10): Kafka {
  return new Kafka({
    clientId: `messaging-test-${randomUUID().slice(0, 8)}`,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** A valid `fulfil.orders.OrderCancelled` v1 event of order `orderId`. */
export function orderCancelled(orderId: string, orderNumber = 'F20261123-0001'): IntegrationEvent {
  return {
    type: 'fulfil.orders.OrderCancelled',
    version: 1,
    data: {
      orderId,
      orderNumber,
      customerId: 'cus-1',
      reason: 'payment-timed-out',
      initiatedBy: 'system',
      reservationId: 'res-1',
    },
  } as IntegrationEvent;
}

/** A valid `fulfil.orders.OrderPaid` v1 event of order `orderId`. */
export function orderPaid(orderId: string): IntegrationEvent {
  return {
    type: 'fulfil.orders.OrderPaid',
    version: 1,
    data: {
      orderId,
      paymentId: 'pay-1',
      paymentMethod: 'alipay',
      amount: { amountMinor: 100, currency: 'CNY' },
    },
  } as IntegrationEvent;
}

export const NOW = '2026-11-23T08:00:00.000Z';

/** The Kafka message of `event` as a producer would publish it, with a fresh `ce_id`. */
export function kafkaMessageOf(event: IntegrationEvent, id = randomUUID()) {
  const message = toKafkaMessage(event, { id, time: NOW, correlationId: 'corr-1' });
  return {
    id,
    message: { key: message.key, value: message.value, headers: { ...message.headers } },
  };
}

export { waitFor } from '@fulfil/testing';

/** Reads every message of `topics` from the beginning into `messages` (a fresh group). */
export async function collectTopic(kafka: Kafka, topics: string[]) {
  const messages: (KafkaMessage & { topic: string; partition: number })[] = [];
  const consumer = kafka.consumer({ groupId: `collector-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({ ...message, topic, partition });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** A read model for tests: one row per application of an event (duplicates would show). */
export async function createAppliedTable(pool: Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS applied (seq bigserial, event_id text NOT NULL, key text NOT NULL)`,
  );
}

/** How many times each event id was applied. */
export async function appliedCounts(pool: Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ event_id: string; n: number }>(
    'SELECT event_id, count(*)::int AS n FROM applied GROUP BY event_id',
  );
  return new Map(rows.map((row) => [row.event_id, row.n]));
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  return value === undefined ? undefined : String(value);
}
