import type { Queryable } from '@fulfil/event-store';

/**
 * Takes the transaction-level advisory lock of each key (`pg_advisory_xact_lock(
 * hashtextextended(key, 0))`), each once and in sorted order — the one order every caller
 * follows, which rules out deadlocks between them — in one round trip: the rows come out of
 * `unnest` in array order and each is locked as it is projected, so a row waiting for its lock
 * holds every lock before it, as one statement per key would. The locks are re-entrant: taking
 * one again in the same transaction returns at once.
 */
export async function takeAdvisoryLocks(client: Queryable, keys: Iterable<string>): Promise<void> {
  const ordered = [...new Set(keys)].sort();
  if (ordered.length === 0) return;
  await client.query({
    name: 'advisory-locks.take',
    text: `SELECT pg_advisory_xact_lock(hashtextextended(k.key, 0))
             FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)
            ORDER BY k.ord`,
    values: [ordered],
  });
}
