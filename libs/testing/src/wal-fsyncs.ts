import type { Pool, PoolClient } from 'pg';

/**
 * WAL fsyncs made so far by the backend behind `client` (its own I/O statistics, PostgreSQL
 * 18+). Use a pool of one connection, so that the backend counted is the one that committed; on
 * a durable server (`startDurablePostgres`): the shared test server runs without fsync.
 */
export async function walFsyncsOf(client: Pool | PoolClient): Promise<number> {
  await client.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await client.query<{ fsyncs: number }>(
    `SELECT coalesce(sum(fsyncs), 0)::int AS fsyncs
       FROM pg_stat_get_backend_io(pg_backend_pid()) WHERE object = 'wal'`,
  );
  return rows[0]!.fsyncs;
}

/** The WAL fsyncs `work` made on the one connection of `on` (see {@link walFsyncsOf}). */
export async function walFlushesOf(
  work: () => Promise<unknown>,
  on: Pool | PoolClient,
): Promise<number> {
  const before = await walFsyncsOf(on);
  await work();
  return (await walFsyncsOf(on)) - before;
}

/**
 * Sets the server's WAL writer to its slowest (one flush of what asynchronous commits left every
 * 10 s), so that what a test does not flush itself stays unflushed for the milliseconds it looks.
 */
export async function slowWalWriter(client: Pool | PoolClient): Promise<void> {
  await client.query(`ALTER SYSTEM SET wal_writer_delay = '10s'`);
  await client.query('SELECT pg_reload_conf()');
}

/**
 * Runs `round` — commits left unflushed, a crash, a look at what is left — until it answers
 * that the crash took them back, at most three times. Even at its slowest (`slowWalWriter`)
 * the WAL writer flushes now and then, and once in a few hundred rounds between a commit and
 * the crash: that round keeps the commit and proves nothing either way.
 */
export async function untilACrashTakesBack(round: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt += 1) if (await round()) return;
  throw new Error('three crashes in a row kept a commit left unflushed');
}
