/** What runs a statement: a pool or one of its clients. */
interface Queryable {
  query<Row>(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Row[] }>;
}

/**
 * The condition under which a flush is needed: WAL was inserted beyond what is on disk. Every
 * commit the statement's snapshot sees lies at or before the insert position, so once the flush
 * position reaches it they are all durable.
 */
export const UNFLUSHED_WAL = 'pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn()';

/**
 * A logical-decoding message that is written and flushed at once, outside any transaction
 * (PostgreSQL 17+, any role): flushing it flushes every WAL record before it, among them the
 * commit records of transactions committed with `synchronous_commit` off. (A transaction that
 * only takes an id writes no WAL before its commit record, so it commits without a flush even
 * with `synchronous_commit` on: no use as a barrier.) Logical-decoding consumers, if any, see an
 * empty message with the prefix `fulfil.wal-flush`.
 */
export const FLUSH_WAL_CALL = `pg_logical_emit_message(false, 'fulfil.wal-flush', '', true)`;

/** Flushes the WAL written so far, unless it is flushed already; one round trip. */
export async function flushWal(queryable: Queryable): Promise<void> {
  await queryable.query({
    name: 'fulfil.flush_wal',
    text: `SELECT ${FLUSH_WAL_CALL} WHERE ${UNFLUSHED_WAL}`,
  });
}

const support = new WeakMap<object, Promise<boolean>>();

/**
 * Whether the server behind `pool` can flush on demand (PostgreSQL 17 or later), asked once per
 * pool. Without it, work that would commit without waiting for the flush must wait after all.
 */
export function canFlushWal(pool: Queryable): Promise<boolean> {
  let answer = support.get(pool);
  if (!answer) {
    answer = pool
      .query<{ ok: boolean }>({
        text: `SELECT current_setting('server_version_num')::int >= 170000 AS ok`,
      })
      .then(({ rows }) => rows[0]?.ok === true);
    // A failed question is asked again next time.
    answer.catch(() => support.delete(pool));
    support.set(pool, answer);
  }
  return answer;
}
