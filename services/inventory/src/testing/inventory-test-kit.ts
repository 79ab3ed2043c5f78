// Helpers for the inventory service's integration tests (not part of the service).
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Topics, toKafkaMessage, type IntegrationEvent } from '@fulfil/contracts';
import { createServiceApp, loadServiceConfig } from '@fulfil/service-kit';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { inventoryDefinition } from '../service.definition';

export const WRITER_TOKEN = 'inventory-test-writer-0123456789';
export const READER_TOKEN = 'inventory-test-reader-0123456789';

/**
 * The inventory application on the given infrastructure, with `settings` (LOW_STOCK_THRESHOLD,
 * RESERVATION_TTL_SECONDS, …) in the environment while the module reads them; silent unless
 * given a `logger`.
 */
export async function startInventoryApp(
  infra: { postgresUrl: string; kafkaBrokers: string[] },
  settings: Record<string, string> = {},
  logger: pino.Logger = pino({ level: 'silent' }),
): Promise<INestApplication> {
  const config = loadServiceConfig(inventoryDefinition, {
    DATABASE_URL: infra.postgresUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    AUTH_TOKENS: JSON.stringify([
      { caller: 'writer', token: WRITER_TOKEN, scopes: ['inventory:read', 'inventory:write'] },
      { caller: 'reader', token: READER_TOKEN, scopes: ['inventory:read'] },
    ]),
  });
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  try {
    return await createServiceApp(inventoryDefinition, config, { logger });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: `inventory-test-${randomUUID().slice(0, 8)}`,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** Creates the topics the service reads and writes (and their dead-letter topics). */
export async function createTopics(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = [Topics.orders, Topics.afterSales, Topics.inventory];
    await admin.createTopics({
      topics: [...topics, ...topics.map((t) => `${t}.dlq`)].map((topic) => ({
        topic,
        numPartitions: 2,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** The Kafka message of `event` as its publisher would send it. */
export function kafkaMessageOf(event: IntegrationEvent, id: string = randomUUID()) {
  const message = toKafkaMessage(event, {
    id,
    time: new Date().toISOString(),
    correlationId: `corr-${id}`,
  });
  return { key: message.key, value: message.value, headers: { ...message.headers } };
}

/** Every message of `topic` from the beginning, as they arrive (a fresh consumer group). */
export async function collectTopic(kafka: Kafka, topic: string) {
  const messages: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `collector-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  const ofType = (type: string) =>
    messages
      .filter((m) => m.headers?.['ce_type']?.toString() === type)
      .map((m) => JSON.parse(m.value!.toString()) as Record<string, unknown>);
  return { messages, ofType, stop: () => consumer.disconnect() };
}

export { waitFor } from '@fulfil/testing';
