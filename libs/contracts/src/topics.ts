/**
 * Kafka topics of the platform: each service publishes its integration events
 * to its own topic, keyed by aggregate id (../../../docs and ARCHITECTURE.md).
 */
export const Topics = {
  orders: 'orders.events',
  inventory: 'inventory.events',
  payments: 'payments.events',
  logistics: 'logistics.events',
  afterSales: 'aftersales.events',
  notifications: 'notifications.events',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Every topic, for provisioning (Strimzi KafkaTopic resources, local start). */
export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

/** Where a consumer parks what it cannot process from `topic` (with the reason in `dlq_*` headers). */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/** The dead-letter topic of every event topic. */
export const DEAD_LETTER_TOPICS: readonly string[] = ALL_TOPICS.map(deadLetterTopicOf);

/**
 * Every topic to create before the services start: event topics and their dead-letter topics
 * (production Kafka runs without auto-creation, so a dead letter needs its topic in advance).
 */
export const PROVISIONED_TOPICS: readonly string[] = [...ALL_TOPICS, ...DEAD_LETTER_TOPICS];
