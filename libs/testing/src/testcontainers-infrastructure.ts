import { createDatabase } from '@fulfil/local-infra';
import { freshDatabaseName } from './embedded-infrastructure';
import type { TestInfrastructure, TestInfrastructureOptions } from './test-infrastructure.types';

/** The images the harness runs (ARCHITECTURE.md: PostgreSQL 17, Apache Kafka in KRaft mode). */
export const POSTGRES_IMAGE = 'postgres:17-alpine';
/** Confluent's Apache Kafka build, the image family @testcontainers/kafka drives (KRaft). */
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.0';
const KAFKA_PLAINTEXT_PORT = 9093;

/**
 * PostgreSQL and Kafka containers for this caller, stopped by `stop()`. Testcontainers' reaper
 * removes them if the process dies first. The packages are loaded only on this path: they are
 * heavy, and machines without Docker never need them.
 */
export async function startContainerInfrastructure(
  options: TestInfrastructureOptions,
): Promise<TestInfrastructure> {
  const [{ PostgreSqlContainer }, { KafkaContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/kafka'),
  ]);
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer(POSTGRES_IMAGE).start(),
    new KafkaContainer(KAFKA_IMAGE).withKraft().start(),
  ]);
  const serverUrl = `postgres://${encodeURIComponent(postgres.getUsername())}:${encodeURIComponent(
    postgres.getPassword(),
  )}@${postgres.getHost()}:${postgres.getPort()}`;
  const postgresUrl = await createDatabase(serverUrl, freshDatabaseName(options.databasePrefix));
  let stopped: Promise<void> | undefined;
  return {
    postgresUrl,
    postgresServerUrl: serverUrl,
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(KAFKA_PLAINTEXT_PORT)}`],
    kind: 'testcontainers',
    processIds: [],
    stop: () => (stopped ??= Promise.all([postgres.stop(), kafka.stop()]).then(() => undefined)),
  };
}
