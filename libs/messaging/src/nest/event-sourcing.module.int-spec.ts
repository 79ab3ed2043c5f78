import type { INestApplication } from '@nestjs/common';
import type { NestMicroservice } from '@nestjs/microservices';
import { createServiceApp, loadServiceConfig } from '@fulfil/service-kit';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import request from 'supertest';
import {
  collectTopic,
  header,
  kafkaClient,
  kafkaMessageOf,
  orderCancelled,
  waitFor,
} from '../testing/messaging-test-kit';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import type { InboxConsumer } from '../inbox/inbox-consumer';
import { OutboxRelay } from '../outbox/outbox-relay';
import {
  eventSourcingFixture,
  FIXTURE_SOURCE_TOPIC,
  FIXTURE_TOPIC,
} from './event-sourcing.fixture';

let infra: TestInfrastructure;
let app: INestApplication;
let kafka: Kafka;
let producer: Producer;
let pool: Pool;
const TOKEN = 'es-fixture-token-0123456789';

beforeAll(async () => {
  infra = await startTestInfrastructure();
  kafka = kafkaClient(infra.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [FIXTURE_TOPIC, FIXTURE_SOURCE_TOPIC, `${FIXTURE_SOURCE_TOPIC}.dlq`].map((topic) => ({
      topic,
      numPartitions: 2,
    })),
  });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  const config = loadServiceConfig(eventSourcingFixture, {
    DATABASE_URL: infra.postgresUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    AUTH_TOKENS: JSON.stringify([{ caller: 'tester', token: TOKEN, scopes: [] }]),
    OUTBOX_RELAY_POLL_INTERVAL_MS: '30',
    KAFKA_SESSION_TIMEOUT_MS: '7000',
    DEADLINE_LEASE_MS: '15000',
  });
  app = await createServiceApp(eventSourcingFixture, config, {
    logger: pino({ level: 'silent' }),
  });
  pool = new Pool({ connectionString: infra.postgresUrl, max: 2 });
});

afterAll(async () => {
  await producer?.disconnect();
  await pool?.end();
  await app?.close();
  await infra?.stop();
});

describe('EventSourcingModule in a service', () => {
  it("runs the relay at the operator's OUTBOX_RELAY_POLL_INTERVAL_MS", () => {
    expect(app.get(OutboxRelay).pollIntervalMs).toBe(30);
  });

  it("joins the consumer group with the operator's KAFKA_SESSION_TIMEOUT_MS", () => {
    const [inbox] = app.getMicroservices() as NestMicroservice[];
    expect(inbox!.unwrap<InboxConsumer>().sessionTimeoutMs).toBe(7000);
  });

  it("leases deadlines whose handlers call out for the operator's DEADLINE_LEASE_MS", () => {
    expect(app.get(DeadlineScheduler).leaseMs).toBe(15_000);
  });

  it('publishes what a command enqueued, through the running relay, keyed and in order', async () => {
    const collected = await collectTopic(kafka, [FIXTURE_TOPIC]);
    try {
      const res = await request(app.getHttpServer())
        .post('/counters/c1')
        .set('Authorization', `Bearer ${TOKEN}`)
        .send({ times: 3 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ n: 3 });
      await waitFor(() => collected.messages.length >= 3, 'three published messages');
      expect(collected.messages.map((m) => m.key?.toString())).toEqual(['c1', 'c1', 'c1']);
      expect(collected.messages.map((m) => header(m, 'ce_type'))).toEqual(
        Array(3).fill('fulfil.orders.OrderCancelled.v1'),
      );
    } finally {
      await collected.stop();
    }
  });

  it('applies a consumed event once, in the inbox transaction, and fires its deadline', async () => {
    const { id, message } = kafkaMessageOf(orderCancelled('o-77'));
    await producer.send({ topic: FIXTURE_SOURCE_TOPIC, messages: [message, message] });
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT 1 FROM follow_ups WHERE counter = $1', [
        'cancelled-o-77',
      ]);
      return rows.length === 1;
    }, 'the follow-up deadline');
    // A third delivery, after the first two were handled, changes nothing either.
    await producer.send({ topic: FIXTURE_SOURCE_TOPIC, messages: [message] });
    await waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM inbox WHERE event_id = $1`,
        [id],
      );
      return rows[0]!.n === 1;
    }, 'the inbox row');
    const { rows: events } = await pool.query(
      `SELECT stream_version FROM events WHERE stream_id = 'cancelled-o-77'`,
    );
    expect(events).toEqual([{ stream_version: 1 }]);
    const { rows: followUps } = await pool.query('SELECT counter FROM follow_ups');
    expect(followUps).toEqual([{ counter: 'cancelled-o-77' }]);
  });

  it('exposes the relay and deadline metrics on the service registry', async () => {
    const res = await request(app.getHttpServer()).get('/metrics');
    expect(res.text).toMatch(/^outbox_backlog\{/m);
    expect(res.text).toMatch(
      /^deadlines_fired_total\{[^}]*kind="follow-up"[^}]*outcome="handled"/m,
    );
    expect(res.text).toMatch(/^inbox_processed_total/m);
  });
});
