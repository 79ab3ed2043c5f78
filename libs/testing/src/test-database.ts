import { Pool } from 'pg';
import { startTestInfrastructure } from './test-infrastructure';
import type { TestInfrastructure } from './test-infrastructure.types';

/** What {@link useTestDatabase} sets up: read it in tests and hooks, once `beforeAll` ran. */
export interface TestDatabase {
  readonly infra: TestInfrastructure;
  readonly pool: Pool;
}

export interface TestDatabaseOptions {
  /** Connections of the pool. */
  readonly max: number;
  /** Runs on the fresh database before the pool opens (its migrations). */
  readonly prepare?: (postgresUrl: string) => Promise<unknown>;
  /** Runs after the file's tests, before the pool closes: whatever still holds a connection. */
  readonly release?: () => Promise<unknown>;
}

/**
 * For a test file: the test infrastructure (a fresh database) and a pool on it, set up in
 * `beforeAll` and closed in `afterAll`.
 */
export function useTestDatabase(options: TestDatabaseOptions): TestDatabase {
  let infra: TestInfrastructure | undefined;
  let pool: Pool | undefined;
  beforeAll(async () => {
    infra = await startTestInfrastructure();
    await options.prepare?.(infra.postgresUrl);
    pool = new Pool({ connectionString: infra.postgresUrl, max: options.max });
  });
  afterAll(async () => {
    await options.release?.();
    await pool?.end();
    await infra?.stop();
  });
  return {
    get infra() {
      return infra!;
    },
    get pool() {
      return pool!;
    },
  };
}
