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
