import { transactionLocal, type Queryable } from '@fulfil/event-store';

/** The key of the transaction-local set of the advisory locks `takeAdvisoryLocks` took. */
const HELD_LOCKS = Symbol('advisory locks held');

/**
 * Takes the transaction-level advisory lock of each key (`pg_advisory_xact_lock(
 * hashtextextended(key, 0))`), each once and in sorted order — the one order every caller
 * follows, which rules out deadlocks between them — in one round trip: the rows come out of
 * `unnest` in array order and each is locked as it is projected, so a row waiting for its lock
 * holds every lock before it, as one statement per key would. The locks are re-entrant.
 *
 * Inside a transaction `withTransaction` runs, the keys it already took there are skipped, and
 * when none is left no statement is sent: a handler locking what its inbox group locked for it
 * costs nothing. (Not supported: taking a lock after a savepoint, rolling back to it, and
 * relying on the lock — PostgreSQL released it, this would still skip it.)
 */
export async function takeAdvisoryLocks(client: Queryable, keys: Iterable<string>): Promise<void> {
  const held = transactionLocal(client, HELD_LOCKS, () => new Set<string>());
  const ordered = [...new Set(keys)].filter((key) => !held?.has(key)).sort();
  if (ordered.length === 0) return;
  await client.query({
    name: 'advisory-locks.take',
    text: `SELECT pg_advisory_xact_lock(hashtextextended(k.key, 0))
             FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)
            ORDER BY k.ord`,
    values: [ordered],
  });
  for (const key of ordered) held?.add(key);
}
