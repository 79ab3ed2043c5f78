import { isDockerReachable } from './docker-detection';
import { startEmbeddedInfrastructure } from './embedded-infrastructure';
import { startContainerInfrastructure } from './testcontainers-infrastructure';
import type {
  TestInfrastructure,
  TestInfrastructureKind,
  TestInfrastructureOptions,
} from './test-infrastructure.types';

const KINDS: readonly TestInfrastructureKind[] = ['embedded', 'testcontainers'];

/** The kind to use: the option, else `FULFIL_TEST_INFRA`, else Docker when it answers. */
export async function resolveInfrastructureKind(
  requested?: TestInfrastructureKind,
): Promise<TestInfrastructureKind> {
  if (requested) return requested;
  const fromEnv = process.env.FULFIL_TEST_INFRA?.trim();
  if (fromEnv) {
    if (!KINDS.includes(fromEnv as TestInfrastructureKind)) {
      throw new Error(`FULFIL_TEST_INFRA must be one of ${KINDS.join(', ')}, got "${fromEnv}"`);
    }
    return fromEnv as TestInfrastructureKind;
  }
  return (await isDockerReachable()) ? 'testcontainers' : 'embedded';
}

/**
 * PostgreSQL and Kafka for a test: a fresh, empty database created for this caller and
 * bootstrap brokers, from Testcontainers when a Docker engine is reachable and otherwise from
 * embedded PostgreSQL plus the development broker. Call it in `beforeAll`, `stop()` in
 * `afterAll`.
 *
 * @example
 * const infra = await startTestInfrastructure();
 * const app = await createApp({ DATABASE_URL: infra.postgresUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(',') });
 * // ...
 * await infra.stop();
 */
export async function startTestInfrastructure(
  options: TestInfrastructureOptions = {},
): Promise<TestInfrastructure> {
  const kind = await resolveInfrastructureKind(options.kind);
  return kind === 'testcontainers'
    ? startContainerInfrastructure(options)
    : startEmbeddedInfrastructure(options);
}
