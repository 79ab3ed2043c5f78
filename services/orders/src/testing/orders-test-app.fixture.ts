// Test-only helpers of the orders service's integration tests: the service app on real
// PostgreSQL and Kafka, a producer acting as inventory and payments, a collector of
// orders.events, and valid request bodies.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import {
  fromKafkaMessage,
  toKafkaMessage,
  Topics,
  type IntegrationEvent,
  type ReceivedIntegrationEvent,
} from '@fulfil/contracts';
import { createServiceApp, loadServiceConfig } from '@fulfil/service-kit';
import { Kafka, logLevel, type KafkaMessage, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { ordersDefinition } from '../service.definition';

export const WRITER = 'orders-writer-token-0123456789';
export const READER = 'orders-reader-token-0123456789';

export interface OrdersTestApp {
  readonly app: INestApplication;
  readonly http: ReturnType<INestApplication['getHttpServer']>;
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly producer: Producer;
  stop(): Promise<void>;
}

/** The orders service on the given database and brokers, with the topics it needs. */
export async function startOrdersApp(infra: {
  postgresUrl: string;
  kafkaBrokers: string[];
}): Promise<OrdersTestApp> {
  const kafka = new Kafka({
    clientId: `orders-test-${randomUUID().slice(0, 8)}`,
    brokers: infra.kafkaBrokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [Topics.orders, Topics.inventory, Topics.payments].flatMap((topic) => [
      { topic, numPartitions: 2 },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ]),
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const config = loadServiceConfig(ordersDefinition, {
    DATABASE_URL: infra.postgresUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    AUTH_TOKENS: JSON.stringify([
      { caller: 'storefront', token: WRITER, scopes: ['orders:write', 'orders:read'] },
      { caller: 'bi', token: READER, scopes: ['orders:read'] },
    ]),
  });
  const app = await createServiceApp(ordersDefinition, config, {
    logger: pino({ level: 'silent' }),
  });
  const pool = new Pool({ connectionString: infra.postgresUrl, max: 2 });
  return {
    app,
    http: app.getHttpServer(),
    pool,
    kafka,
    producer,
    async stop() {
      await producer.disconnect();
      await pool.end();
      await app.close();
    },
  };
}

/** Publishes `event` as its service would (CloudEvents headers, key = aggregate id). */
export async function publish(producer: Producer, event: IntegrationEvent, id = randomUUID()) {
  const message = toKafkaMessage(event, {
    id,
    time: new Date().toISOString(),
    correlationId: `test-${id}`,
  });
  const contractTopic = event.type.startsWith('fulfil.inventory.')
    ? Topics.inventory
    : Topics.payments;
  await producer.send({
    topic: contractTopic,
    messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }],
  });
  return id;
}

export interface CollectedEvent extends ReceivedIntegrationEvent {
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: string;
}

/** Every message of orders.events from the beginning, decoded (a fresh consumer group). */
export async function collectOrdersEvents(kafka: Kafka) {
  const events: CollectedEvent[] = [];
  const consumer = kafka.consumer({ groupId: `orders-collector-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.orders], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      events.push({ ...fromKafkaMessage(message), ...raw(message) });
    },
  });
  return {
    events,
    of: (orderId: string) => events.filter((e) => e.key === orderId),
    stop: () => consumer.disconnect(),
  };
}

function raw(message: KafkaMessage) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
  return { key: String(message.key), headers, value: String(message.value) };
}

export { waitFor } from '@fulfil/testing';

/** A valid `POST /orders` body: two lines in CNY, delivery in Shenzhen. */
export function orderBody(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'mini-program',
    customerId: `cus-${randomUUID().slice(0, 8)}`,
    lines: [
      { skuId: 'sku-tea', title: 'Tea-tree oil', quantity: 2, unitPrice: cny(4900) },
      {
        skuId: 'sku-milk',
        title: 'Fresh milk',
        quantity: 3,
        unitPrice: cny(1200),
        handling: 'chilled',
      },
    ],
    deliveryAddress: {
      recipientName: 'Wang Xiaoming',
      phone: '+86 138 0013 8000',
      countryCode: 'CN',
      regionCode: 'CN-GD',
      cityCode: 'SZ',
      addressLine1: 'Keji Yuan 1-101',
    },
    paymentMethod: 'wechat-pay',
    shipping: cny(800),
    discount: cny(500),
    ...overrides,
  };
}

export const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/** Counts rows of the stores a placement writes: nothing may change on a refused request. */
export async function storedCounts(pool: Pool) {
  const { rows } = await pool.query<{ events: number; outbox: number; addresses: number }>(
    `SELECT (SELECT count(*)::int FROM events) AS events,
            (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT count(*)::int FROM order_delivery_addresses) AS addresses`,
  );
  return rows[0]!;
}
