/** Where the infrastructure comes from. */
export type TestInfrastructureKind = 'embedded' | 'testcontainers';

/** Options of {@link startTestInfrastructure}. */
export interface TestInfrastructureOptions {
  /**
   * Force a kind. Default: `FULFIL_TEST_INFRA` (`embedded` | `testcontainers`) when set, else
   * Testcontainers when a Docker engine answers, else embedded.
   */
  readonly kind?: TestInfrastructureKind;
  /**
   * Embedded only: run a PostgreSQL server of its own for this caller, stopped by `stop()`,
   * instead of a fresh database on the server shared by the Jest worker. Slower (~1 s more);
   * for tests that restart or break the server.
   */
  readonly dedicatedPostgres?: boolean;
  /** Prefix of the fresh database's name (letters, digits, `_`). Default `test`. */
  readonly databasePrefix?: string;
}

/** PostgreSQL and Kafka for one test suite. */
export interface TestInfrastructure {
  /** URL of a fresh, empty database created for this caller. */
  readonly postgresUrl: string;
  /** URL of the server without a database (to create more databases: `@fulfil/local-infra`). */
  readonly postgresServerUrl: string;
  /** Bootstrap brokers for kafkajs (`host:port`). */
  readonly kafkaBrokers: string[];
  readonly kind: TestInfrastructureKind;
  /**
   * Local processes serving this caller (embedded PostgreSQL runner and postmaster), for leak
   * checks. `stop()` ends them when the server is dedicated; a shared server ends with the
   * worker process. Empty for Testcontainers.
   */
  readonly processIds: readonly number[];
  /** Drops the database, stops the broker (and a dedicated server or the containers). Idempotent. */
  stop(): Promise<void>;
}
