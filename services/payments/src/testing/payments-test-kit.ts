// Helpers for the payments service's integration tests: the service on real PostgreSQL and
// the Kafka-protocol broker, other services played with kafkajs. Test-only code.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import {
  fromKafkaMessage,
  Topics,
  toKafkaMessage,
  type IntegrationEvent,
  type ReceivedIntegrationEvent,
} from '@fulfil/contracts';
import { createServiceApp, loadServiceConfig } from '@fulfil/service-kit';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { EmbeddedSimulator } from '../infrastructure/embedded-simulator';
import { paymentsDefinition } from '../service.definition';

export const WRITER = 'payments-writer-token-0123';
export const READER = 'payments-reader-token-0123';
export const SECRET = `whsec_${Buffer.from('payments-integration-test-secret').toString('base64')}`;
export const SIMULATOR_API_KEY = 'sk_sim_integration_test';

/** What the harness needs of `startTestInfrastructure()` (passed in by the spec). */
export interface Infrastructure {
  readonly postgresUrl: string;
  readonly kafkaBrokers: string[];
}

export interface PaymentsHarness {
  readonly app: INestApplication;
  readonly baseUrl: string;
  readonly simulatorUrl: string;
  readonly simulator: EmbeddedSimulator;
  readonly producer: Producer;
  readonly pool: Pool;
  /** Every event published on payments.events so far, in order. */
  readonly published: ReceivedIntegrationEvent[];
  stop(): Promise<void>;
}

/** Starts the payments service on `infra`, listening on `port`, with its topics created. */
export async function startPaymentsHarness(
  infra: Infrastructure,
  port: number,
  env: Record<string, string> = {},
): Promise<PaymentsHarness> {
  const kafka = new Kafka({
    clientId: `payments-test-${randomUUID().slice(0, 8)}`,
    brokers: infra.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      Topics.orders,
      Topics.logistics,
      Topics.payments,
      `${Topics.orders}.dlq`,
      `${Topics.logistics}.dlq`,
    ].map((topic) => ({ topic, numPartitions: 2 })),
  });
  await admin.disconnect();
  const saved = { ...process.env };
  Object.assign(process.env, {
    PAYMENT_SIMULATOR_PORT: '0',
    PAYMENT_NOTIFY_BASE_URL: `http://127.0.0.1:${port}`,
    PAYMENT_WEBHOOK_SECRET: SECRET,
    PAYMENT_GATEWAY_API_KEY: SIMULATOR_API_KEY,
    ...env,
  });
  let app: INestApplication;
  try {
    const config = loadServiceConfig(paymentsDefinition, {
      DATABASE_URL: infra.postgresUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      PORT: String(port),
      AUTH_TOKENS: JSON.stringify([
        { caller: 'customer-service', token: WRITER, scopes: ['payments:read', 'payments:write'] },
        { caller: 'bi', token: READER, scopes: ['payments:read'] },
      ]),
    });
    app = await createServiceApp(paymentsDefinition, config, { logger: pino({ level: 'silent' }) });
    await app.listen(port, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  const producer = kafka.producer();
  await producer.connect();
  const published: ReceivedIntegrationEvent[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: `payments-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.payments], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      published.push(fromKafkaMessage(message));
    },
  });
  const pool = new Pool({ connectionString: infra.postgresUrl, max: 2 });
  const simulator = app.get(EmbeddedSimulator);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    simulatorUrl: simulator.gatewayUrl(),
    simulator,
    producer,
    pool,
    published,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await pool.end();
      await app.close();
    },
  };
}

/** Publishes `event` on its topic as its producing service would, with a fresh `ce_id`. */
export async function publish(
  producer: Producer,
  topic: string,
  event: IntegrationEvent,
): Promise<string> {
  const id = randomUUID();
  const message = toKafkaMessage(event, {
    id,
    time: new Date().toISOString(),
    correlationId: `test-${id}`,
  });
  await producer.send({
    topic,
    messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }],
  });
  return id;
}

export function orderPlaced(
  orderId: string,
  paymentMethod: 'wechat-pay' | 'alipay' | 'bank-card' | 'cash-on-delivery' | 'cash-in-store',
  amountMinor = 12_900,
): IntegrationEvent {
  const money = (value: number) => ({ amountMinor: value, currency: 'CNY' });
  return {
    type: 'fulfil.orders.OrderPlaced',
    version: 1,
    data: {
      orderId,
      orderNumber: `F${orderId.slice(0, 8)}`,
      customerId: 'cust-1',
      channel: 'app',
      lines: [
        {
          lineId: 'l1',
          skuId: 'sku-1',
          title: 'Tea tree oil',
          quantity: 1,
          unitPrice: money(amountMinor),
          lineTotal: money(amountMinor),
          handling: 'ambient',
        },
      ],
      totals: {
        subtotal: money(amountMinor),
        shipping: money(0),
        discount: money(0),
        total: money(amountMinor),
      },
      paymentMethod,
      deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD' },
    },
  } as IntegrationEvent;
}

export function orderStockReserved(orderId: string): IntegrationEvent {
  return {
    type: 'fulfil.orders.OrderStockReserved',
    version: 1,
    data: {
      orderId,
      reservationId: `res-${orderId}`,
      reservationExpiresAt: new Date(Date.now() + 20 * 60_000).toISOString(),
      unreservedLines: [],
    },
  } as IntegrationEvent;
}

export { waitFor } from '@fulfil/testing';

/** The events published for `orderId` on payments.events, by short type name. */
export function publishedFor(harness: PaymentsHarness, orderId: string): string[] {
  return harness.published
    .filter((received) => (received.event.data as { orderId?: string }).orderId === orderId)
    .map((received) => received.event.type.replace('fulfil.payments.', ''));
}

// Response bodies are asserted field by field in the specs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonBody = any;

/** The HTTP helpers against the running service and simulator (global fetch, real HTTP). */
export function httpClient(harness: PaymentsHarness) {
  const json = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as JsonBody,
  });
  return {
    get: (path: string, token = READER) =>
      fetch(`${harness.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
        json,
      ),
    post: (path: string, body: unknown, headers: Record<string, string> = {}, token = WRITER) =>
      fetch(`${harness.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      }).then(json),
    postRaw: (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${harness.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }).then(json),
    pay: (providerReference: string, outcome: string) =>
      fetch(`${harness.simulatorUrl}/simulator/pay/${providerReference}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome }),
      }).then(json),
    simulatorPayment: (providerReference: string) =>
      fetch(`${harness.simulatorUrl}/v1/payments/${providerReference}`, {
        headers: { authorization: `Bearer ${SIMULATOR_API_KEY}` },
      }).then(json),
  };
}
