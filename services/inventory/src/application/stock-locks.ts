import type { Queryable } from '@fulfil/event-store';
import { takeAdvisoryLocks } from '@fulfil/messaging';

// The two kinds of lock, in the one order every transaction takes them: reservations (named
// after their order) before SKUs — 'inventory-order:' sorts before 'inventory-sku:', so a sorted
// set of both kinds (an inbox group's, see `inboxLockKeys`) keeps that order too.
const RESERVATION_KEY_PREFIX = 'inventory-order:';
const SKU_KEY_PREFIX = 'inventory-sku:';

/** The lock key of a SKU's stock. */
export const skuLockKey = (skuId: string): string => `${SKU_KEY_PREFIX}${skuId}`;

/**
 * The lock key of an order's reservation. Named after the order (one reservation per order,
 * never changed) because every order event carries the order id, not always the reservation's:
 * so the key is known from the event alone, before any statement.
 */
export const reservationLockKey = (orderId: string): string =>
  `${RESERVATION_KEY_PREFIX}${orderId}`;

/** The lock keys of SKUs, each once, in the order they must be taken (sorted). */
export function skuLockKeys(skuIds: Iterable<string>): string[] {
  return [...new Set(skuIds)].sort().map(skuLockKey);
}

/**
 * Serialises writers of the same SKU for the rest of the caller's transaction, so that 200
 * orders racing for the last units queue instead of exhausting optimistic-concurrency retries
 * (a reservation has its own lock: `lockReservation`, `lockReservationOfOrder`).
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
  // takeAdvisoryLocks sorts and de-duplicates the keys itself.
  await takeAdvisoryLocks(client, Array.from(skuIds, skuLockKey));
}

/**
 * Takes the reservation's lock (its order's) in one statement; false (and no lock) when there is
 * no such reservation. Reading before the lock is granted is sound here because a reservation's
 * order never changes once written.
 */
export async function lockReservation(client: Queryable, reservationId: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended($2 || order_id, 0))
       FROM reservations WHERE reservation_id = $1`,
    [reservationId, RESERVATION_KEY_PREFIX],
  );
  return rows.length > 0;
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
    `SELECT reservation_id, pg_advisory_xact_lock(hashtextextended($2, 0))
       FROM reservations WHERE order_id = $1`,
    [orderId, reservationLockKey(orderId)],
  );
  return rows[0]?.reservation_id;
}
