import type { Pool, PoolClient } from 'pg';

/** Callbacks waiting for the commit of the transaction `withTransaction` runs on a client. */
const commitCallbacks = new WeakMap<object, Set<() => void>>();

/**
 * Runs `work` in one transaction (READ COMMITTED) on a pool connection and commits, or rolls
 * back when it throws. A connection whose rollback failed is discarded, not reused. After the
 * commit it runs what `afterCommit` registered on the connection meanwhile.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const callbacks = new Set<() => void>();
  let broken: Error | undefined;
  let result: T;
  commitCallbacks.set(client, callbacks);
  try {
    await client.query('BEGIN');
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    commitCallbacks.delete(client);
    client.release(broken);
  }
  for (const callback of callbacks) callback();
  return result;
}

/**
 * Runs `callback` once the transaction `withTransaction` runs on `client` has committed (once,
 * however often it was registered), never after a rollback. Outside such a transaction it is
 * dropped: use it for hints that save waiting (wake a poller), not for work that must happen.
 * It must not throw: it runs after the commit, before `withTransaction` returns.
 */
export function afterCommit(client: object, callback: () => void): void {
  commitCallbacks.get(client)?.add(callback);
}
