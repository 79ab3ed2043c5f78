import { recordStatements as recordSentStatements } from '@fulfil/testing';
import { Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { CreateEventStore1732300000000 } from '../create-event-store.migration';
import { EventStore } from '../event-store';

/**
 * Runs the event-store migration on `url` through TypeORM, as a service would at start-up,
 * and returns a pool on it. For the library's integration tests.
 */
export async function migratedPool(url: string, max = 30): Promise<Pool> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: [CreateEventStore1732300000000],
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
  const pool = new Pool({ connectionString: url, max });
  // The harness drops the database WITH (FORCE) on stop(); a connection still closing then is
  // terminated by the server (57P01). Without a listener that error would crash the suite.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  return pool;
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database as a test harness provides it (`startTestInfrastructure` in specs). */
interface TestDatabase {
  readonly postgresUrl: string;
  stop(): Promise<void>;
}

/**
 * Registers `beforeAll`/`afterAll` that give the calling spec a migrated database, a pool and
 * an EventStore on it; read them from the returned object inside tests.
 */
export function useEventStoreDatabase(start: () => Promise<TestDatabase>): {
  readonly pool: Pool;
  readonly store: EventStore;
} {
  const state: { database?: TestDatabase; pool?: Pool; store?: EventStore } = {};
  beforeAll(async () => {
    state.database = await start();
    state.pool = await migratedPool(state.database.postgresUrl);
    state.store = new EventStore(state.pool);
  });
  afterAll(async () => {
    await state.pool?.end();
    await state.database?.stop();
  });
  return {
    get pool() {
      return state.pool!;
    },
    get store() {
      return state.store!;
    },
  };
}

/** Resolves once backend `pid` waits for a lock another backend holds. */
export async function blocked(pool: Pool, pid: number): Promise<void> {
  for (let i = 0; i < 1000; i += 1) {
    const { rows } = await pool.query<{ blocked: boolean }>(
      'SELECT cardinality(pg_blocking_pids($1)) > 0 AS blocked',
      [pid],
    );
    if (rows[0]!.blocked) return;
    await delay(5);
  }
  throw new Error(`backend ${pid} never blocked`);
}

/** Records the statements `client` runs: a named statement's name, any other's text. */
export function recordStatements(client: PoolClient): {
  readonly statements: string[];
  restore(): void;
} {
  const recorded = recordSentStatements(client);
  return {
    get statements() {
      return recorded.statements.map((statement) => statement.name ?? statement.text);
    },
    restore: () => recorded.restore(),
  };
}
