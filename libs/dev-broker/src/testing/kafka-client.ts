import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

/**
 * A kafkajs client that does not log: kafkajs reports every expected disconnect
 * (broker restarts, rebalances) as an error, which would bury real test output.
 */
export function createKafka(
  address: string,
  clientId: string,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1_000 },
    ...overrides,
  });
}
