import type { Queryable } from '@fulfil/event-store';

const SKU_KEY_PREFIX = 'inventory-sku:';
const RESERVATION_KEY_PREFIX = 'inventory-reservation:';

/**
 * Serialises writers of the same SKU (and of the same reservation) for the rest of the caller's
 * transaction, so that 200 orders racing for the last units queue instead of exhausting
 * optimistic-concurrency retries.
 *
 * Transaction-level advisory locks rather than `SELECT … FOR UPDATE` on read-model rows: they
 * work before a SKU has any row, and taking one does not assign the transaction an id — so a
 * transaction that locks before it writes always appends after every earlier holder committed,
 * and never trips the event store's transaction-order check. Order: at most one reservation
 * first, then SKUs sorted by id, which rules out deadlocks between writers.
 *
 * Every lock is its own statement's business: a statement reads with the snapshot taken when it
 * started, before any lock it waits for, so stock must be read by a later statement.
 */
export async function lockSkus(client: Queryable, skuIds: Iterable<string>): Promise<void> {
  const keys = [...new Set(skuIds)].sort().map((skuId) => `${SKU_KEY_PREFIX}${skuId}`);
  if (keys.length === 0) return;
  // One round trip for the whole set, still one lock after another in sorted order: the rows
  // come out of `unnest` in array order and each is locked as it is projected (a row waiting
  // for its lock holds every lock before it, like the statements one by one did).
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended(k.key, 0))
       FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)
      ORDER BY k.ord`,
    [keys],
  );
}

export async function lockReservation(client: Queryable, reservationId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `${RESERVATION_KEY_PREFIX}${reservationId}`,
  ]);
}

/**
 * Finds the order's reservation and takes its lock in one statement; undefined (and no lock)
 * when the order has none. Reading before the lock is granted is sound here because an order's
 * reservation id never changes once written.
 */
export async function lockReservationOfOrder(
  client: Queryable,
  orderId: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ reservation_id: string }>(
    `SELECT reservation_id, pg_advisory_xact_lock(hashtextextended($2 || reservation_id, 0))
       FROM reservations WHERE order_id = $1`,
    [orderId, RESERVATION_KEY_PREFIX],
  );
  return rows[0]?.reservation_id;
}
