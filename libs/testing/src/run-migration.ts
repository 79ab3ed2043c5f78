import type { Pool } from 'pg';

/** A TypeORM migration, as far as a test calls it (`R`: TypeORM's QueryRunner). */
interface Migration<R> {
  up(queryRunner: R): Promise<unknown>;
  down(queryRunner: R): Promise<unknown>;
}

/**
 * Runs `migration`'s `up` or `down` on `pool` without a TypeORM DataSource: the only part of the
 * QueryRunner a migration of this workspace uses is `query(sql)`.
 */
export async function runMigration<R>(
  pool: Pick<Pool, 'query'>,
  migration: Migration<R>,
  direction: 'up' | 'down',
): Promise<void> {
  const queryRunner = { query: (sql: string) => pool.query(sql) } as unknown as R;
  await migration[direction](queryRunner);
}
